// Short-lived helper programs (addr2line, google-pprof) run side by side, each with its
// stdout in a file: the analysis after a profiled run is their slowest one, not their sum.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace leakgate {

// Starts `argv` (PATH lookup) with stdin and stderr on /dev/null and stdout into `out`.
// Returns its pid, or -1 when it could not start.
pid_t start_helper(const std::vector<std::string>& argv, const std::filesystem::path& out);

// Waits for every pid until `timeout` has passed in all, killing whatever still runs then.
// True when each started and exited with 0.
bool wait_helpers(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout);

// True when `program` is an executable file on PATH (or a path to one).
bool helper_available(const std::string& program);

}  // namespace leakgate
