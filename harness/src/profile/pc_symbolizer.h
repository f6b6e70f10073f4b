// Names for another process's code addresses, from its executable mappings: one addr2line
// per module, side by side (the harness cannot dladdr into the daemon).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "profile/heap_profile_file.h"

namespace leakgate {

// address -> "outer--inlined--innermost" (the form of pprof's symbolized profiles) for
// addresses in `modules` (paths as in `code`); any other address, or one addr2line cannot
// name, gets "module+0xoffset". Scratch files go to `scratch_dir`.
std::map<uint64_t, std::string> symbolize_addresses(const std::set<uint64_t>& addresses,
                                                    const std::vector<CodeMapping>& code,
                                                    const std::set<std::string>& modules,
                                                    const std::filesystem::path& scratch_dir);

}  // namespace leakgate
