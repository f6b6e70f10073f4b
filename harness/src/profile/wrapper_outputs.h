// Files a wrapper profiler (daemon.wrapper: valgrind, heaptrack) leaves in the daemon's work
// directory, so the report keeps them after the work directory is removed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

// valgrind*.log/.xml, vgcore.*, {massif,callgrind,cachegrind,dhat}.out.*, heaptrack.*.
bool is_wrapper_output(std::string_view file_name);

// Regular files in `workdir` (not below it) that are wrapper outputs, sorted by name.
std::vector<std::string> wrapper_outputs(const std::filesystem::path& workdir);

}  // namespace leakgate
