#include "profile/wrapper_outputs.h"

#include <algorithm>

namespace leakgate {

bool is_wrapper_output(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {
      "valgrind",        "vgcore.",   "massif.out.", "callgrind.out.",
      "cachegrind.out.", "dhat.out.", "heaptrack."};
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes), [&](std::string_view prefix) {
    return name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix;
  });
}

std::vector<std::string> wrapper_outputs(const std::filesystem::path& workdir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(workdir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && is_wrapper_output(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace leakgate
