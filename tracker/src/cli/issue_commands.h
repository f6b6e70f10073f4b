// `tracker issue add|list|show|close|reopen|rm` and `tracker stats`.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_context.h"

namespace tracker::cli {

// Registers the commands on `app`; the one that runs stores its exit code in `exit_code`.
void add_issue_commands(CLI::App& app, const CliContext& context, int& exit_code);
void add_stats_command(CLI::App& app, const CliContext& context, int& exit_code);

}  // namespace tracker::cli
