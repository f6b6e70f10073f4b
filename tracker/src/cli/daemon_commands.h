// `tracker daemon start|stop|status`.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_context.h"

namespace tracker::cli {

void add_daemon_commands(CLI::App& app, CliContext& context);

}  // namespace tracker::cli
