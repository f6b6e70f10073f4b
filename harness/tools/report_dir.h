// The one default report directory of every leakgate command (run, calibrate, report,
// baseline, compare, history) and of the GoogleTest front-end: $LEAKGATE_REPORT_DIR, else
// ./leak-reports. A directory of its own, never a source folder: the repository's reports/
// is the reports library's sources, and `build/` is not there in a user's working directory.
#pragma once

#include <string>

namespace leakgate::cli {

inline constexpr const char* kDefaultReportDir = "leak-reports";

// $LEAKGATE_REPORT_DIR when set and not empty, else kDefaultReportDir.
std::string default_report_dir();

// For --help: "leak-reports, or $LEAKGATE_REPORT_DIR (now: X)".
std::string report_dir_help();

}  // namespace leakgate::cli
