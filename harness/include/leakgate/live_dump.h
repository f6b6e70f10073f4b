// Reader side of live-object dumps: ask a publishing process for its creation stacks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace leakgate {

// "<counters_path>.live.json": where a publisher writes Registry::live_objects_json().
std::string live_dump_path(const std::string& counters_path);

// Sends SIGUSR2 to `pid` (which publishes into `counters_path` via start_from_environment),
// waits until the file's dump_generation bumps, and returns the dump's JSON text.
// nullopt when the file is missing or not published by `pid` with the SIGUSR2 handler
// installed (the signal would kill it), the process is gone, or the timeout passes.
std::optional<std::string> request_live_dump(pid_t pid, const std::string& counters_path,
                                             std::chrono::milliseconds timeout);

}  // namespace leakgate
