#include "output.h"

#include <iomanip>

#include "tracker/issue_json.h"

namespace tracker::cli {
namespace {

std::string joined_labels(const std::vector<std::string>& labels) {
  std::string text;
  for (const auto& label : labels) text += (text.empty() ? "" : ",") + label;
  return text;
}

}  // namespace

void print_issue(std::ostream& out, const Issue& issue, bool json) {
  if (json) {
    out << to_json(issue).dump(2) << "\n";
    return;
  }
  out << "#" << issue.id << " " << issue.title << "\n"
      << "  status:   " << to_string(issue.status) << "\n"
      << "  priority: " << issue.priority << "\n"
      << "  labels:   " << joined_labels(issue.labels) << "\n";
  if (!issue.body.empty()) out << "\n" << issue.body << "\n";
}

void print_issue_list(std::ostream& out, const std::vector<Issue>& issues, bool json) {
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Issue& issue : issues) list.push_back(to_json(issue));
    out << list.dump(2) << "\n";
    return;
  }
  for (const Issue& issue : issues) {
    out << std::left << std::setw(6) << ("#" + std::to_string(issue.id)) << std::setw(7)
        << to_string(issue.status) << "P" << issue.priority << "  " << issue.title;
    if (!issue.labels.empty()) out << "  [" << joined_labels(issue.labels) << "]";
    out << "\n";
  }
}

void print_stats(std::ostream& out, const Stats& stats, bool json) {
  if (json) {
    out << to_json(stats).dump(2) << "\n";
    return;
  }
  out << "issues: " << stats.total << " (" << stats.open << " open, " << stats.closed
      << " closed)\n";
  for (const auto& [label, count] : stats.labels) out << "  " << label << ": " << count << "\n";
  out << "sync ticks: " << stats.ticks << "\n";
}

}  // namespace tracker::cli
