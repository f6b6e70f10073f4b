// How `tracker` prints issues and stats: short text for people, JSON with --json.
#pragma once

#include <ostream>
#include <vector>

#include "tracker/issue.h"

namespace tracker::cli {

void print_issue(std::ostream& out, const Issue& issue, bool json);  // full detail
void print_issue_list(std::ostream& out, const std::vector<Issue>& issues, bool json);
void print_stats(std::ostream& out, const Stats& stats, bool json);

}  // namespace tracker::cli
