// `tracker daemon start|stop|status`.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_context.h"

namespace tracker::cli {

// The commands of the group `group` (main() made it with add_command_group).
void add_daemon_commands(CLI::App& group, CliContext& context);

}  // namespace tracker::cli
