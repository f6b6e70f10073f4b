// Each subcommand of the `leakgate` CLI registers itself on the app; run() of the
// returned callback happens after parsing. Exit codes: 0 ok, 1 failed, 2 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>

namespace leakgate::cli {

// A problem whose message already names the command ("leakgate compare: ..."): exit 2,
// printed as it is.
struct CommandError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Each returns the subcommand; its callback stores the exit code in *exit_code.
CLI::App* add_probe_command(CLI::App& app, int* exit_code);      // probe_command.cpp
CLI::App* add_run_command(CLI::App& app, int* exit_code);        // run_command.cpp
CLI::App* add_calibrate_command(CLI::App& app, int* exit_code);  // calibrate_command.cpp
CLI::App* add_time_limit_command(CLI::App& app, int* exit_code);  // time_limit_command.cpp
CLI::App* add_session_command(CLI::App& app, int* exit_code);     // session_command.cpp
// report_commands.cpp: report (and report --merge), baseline, compare, history
void add_report_commands(CLI::App& app, int* exit_code);

}  // namespace leakgate::cli
