#include "test_support.h"

#include <cstdlib>
#include <stdexcept>

#include "leakgate/reports/atomic_file.h"

namespace leakgate::reports::testing {

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(LEAKGATE_REPORTS_TEST_DIR) / relative;
}

nlohmann::json load_fixture(const std::string& name) {
  return nlohmann::json::parse(read_text_file(source_path("fixtures/" + name + ".json")));
}

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "leakgate-reports-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace leakgate::reports::testing
