#include "report_dir.h"

#include <cstdlib>

namespace leakgate::cli {

std::string default_report_dir() {
  const char* from_environment = std::getenv("LEAKGATE_REPORT_DIR");
  return from_environment && *from_environment ? from_environment : kDefaultReportDir;
}

std::string report_dir_help() {
  std::string help = std::string("default: $LEAKGATE_REPORT_DIR, else ./") + kDefaultReportDir;
  const char* from_environment = std::getenv("LEAKGATE_REPORT_DIR");
  if (from_environment && *from_environment) help += std::string(" (now ") + from_environment + ")";
  return help;
}

}  // namespace leakgate::cli
