// Each subcommand of the `leakgate` CLI fills in the subcommand main() created from its table
// (leakgate_main.cpp: every name and --help text in one place); its callback runs after
// parsing. Exit codes: 0 ok, 1 failed, 2 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>

namespace leakgate::cli {

// A problem whose message already names the command ("leakgate compare: ..."): exit 2,
// printed as it is.
struct CommandError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Each adds the options (or the nested subcommands) of `command`; the callback of the one
// that runs stores its exit code in *exit_code.
void define_probe_command(CLI::App& command, int* exit_code);       // probe_command.cpp
void define_run_command(CLI::App& command, int* exit_code);         // run_command.cpp
void define_calibrate_command(CLI::App& command, int* exit_code);   // calibrate_command.cpp
void define_time_limit_command(CLI::App& command, int* exit_code);  // time_limit_command.cpp
void define_session_command(CLI::App& command, int* exit_code);     // session_command.cpp
// report_commands.cpp: report (and report --merge), baseline, compare, history
void define_report_command(CLI::App& command, int* exit_code);
void define_baseline_command(CLI::App& command, int* exit_code);
void define_compare_command(CLI::App& command, int* exit_code);
void define_history_command(CLI::App& command, int* exit_code);

}  // namespace leakgate::cli
