// A private temporary directory per test (mkdtemp under $TMPDIR or /tmp), removed at scope end.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace leakgate::testing {

class TestDir {
 public:
  // The name says whose directory a leftover is; the path stays short (Unix socket paths in it
  // must fit in 108 bytes).
  explicit TestDir(const std::string& name = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("leakgate-" + name + "-XXXXXX")).string();
    // Thrown from a fixture's constructor, gtest reports the test as failed, not skipped.
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), pattern);
    }
    path_ = pattern;
  }
  ~TestDir() {
    std::error_code ignored;  // nothing to do about a directory that cannot be removed
    std::filesystem::remove_all(path_, ignored);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace leakgate::testing
