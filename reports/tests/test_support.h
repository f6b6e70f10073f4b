// Shared by the report tests: the committed fixtures and a temporary directory.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "test_dir.h"

namespace leakgate::reports::testing {

// reports/tests/<relative>.
std::filesystem::path source_path(const std::string& relative);

// A fixture result from reports/tests/fixtures/<name>.json.
nlohmann::json load_fixture(const std::string& name);

// A fresh directory under the system temp dir, removed with its contents on destruction: the
// harness's one temp-dir helper (harness/tests/support/test_dir.h), named leakgate-reports-*.
struct TemporaryDirectory : leakgate::testing::TestDir {
  TemporaryDirectory() : TestDir("reports") {}
};

}  // namespace leakgate::reports::testing
