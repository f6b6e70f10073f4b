#include "test_support.h"

#include "leakgate/reports/atomic_file.h"

namespace leakgate::reports::testing {

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(LEAKGATE_REPORTS_TEST_DIR) / relative;
}

nlohmann::json load_fixture(const std::string& name) {
  return nlohmann::json::parse(read_text_file(source_path("fixtures/" + name + ".json")));
}

}  // namespace leakgate::reports::testing
