// Shared by the report tests: the committed fixtures and a temporary directory.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace leakgate::reports::testing {

// reports/tests/<relative>.
std::filesystem::path source_path(const std::string& relative);

// A fixture result from reports/tests/fixtures/<name>.json.
nlohmann::json load_fixture(const std::string& name);

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace leakgate::reports::testing
