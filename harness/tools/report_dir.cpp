#include "report_dir.h"

#include <cstdlib>

namespace leakgate::cli {

std::string default_report_dir() {
  const char* from_environment = std::getenv("LEAKGATE_REPORT_DIR");
  return from_environment && *from_environment ? from_environment : kDefaultReportDir;
}

CLI::Option* add_report_dir_option(CLI::App& command, std::string& dir, const std::string& what,
                                   const std::string& more) {
  std::string help = what + " (default: $LEAKGATE_REPORT_DIR, else ./" + kDefaultReportDir;
  const char* from_environment = std::getenv("LEAKGATE_REPORT_DIR");
  if (from_environment && *from_environment) help += std::string(" (now ") + from_environment + ")";
  return command.add_option("--report-dir", dir, help + ")" + more);
}

}  // namespace leakgate::cli
