// `tracker issue add|list|show|close|reopen|rm` and `tracker stats`.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_context.h"

namespace tracker::cli {

// Registers the commands on `group` (main() made it with add_command_group) or, for stats, on
// `app`; the one that runs keeps its exit code in `context`.
void add_issue_commands(CLI::App& group, CliContext& context);
void add_stats_command(CLI::App& app, CliContext& context);

}  // namespace tracker::cli
