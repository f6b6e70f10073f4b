// Finding a report directory's files: result.json below each test's directory, results.json
// of several report directories downloaded side by side.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <vector>

namespace leakgate::reports::detail {

// Every file called `name` in `directory` or up to `max_depth` directories below it,
// skipping directories whose name starts with '.', sorted.
inline std::vector<std::filesystem::path> files_named(const std::filesystem::path& directory,
                                                      std::string_view name, int max_depth) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code error;
  fs::recursive_directory_iterator entry(directory, fs::directory_options::skip_permission_denied,
                                         error);
  for (; !error && entry != fs::recursive_directory_iterator(); entry.increment(error)) {
    if (entry->is_directory(error)) {
      if (entry.depth() >= max_depth || entry->path().filename().string().front() == '.')
        entry.disable_recursion_pending();
    } else if (entry->path().filename() == name) {
      files.push_back(entry->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace leakgate::reports::detail
