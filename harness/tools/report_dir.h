// The one default report directory of every leakgate command (run, calibrate, report,
// baseline, compare, history) and of the GoogleTest front-end: $LEAKGATE_REPORT_DIR, else
// ./leak-reports. A directory of its own, never a source folder: the repository's reports/
// is the reports library's sources, and `build/` is not there in a user's working directory.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace leakgate::cli {

inline constexpr const char* kDefaultReportDir = "leak-reports";

// $LEAKGATE_REPORT_DIR when set and not empty, else kDefaultReportDir.
std::string default_report_dir();

// --report-dir DIR on `command`, bound to `dir`, the same in every command: its help is
// "<what> (default: $LEAKGATE_REPORT_DIR, else ./leak-reports (now X))<more>".
CLI::Option* add_report_dir_option(CLI::App& command, std::string& dir, const std::string& what,
                                   const std::string& more = "");

}  // namespace leakgate::cli
