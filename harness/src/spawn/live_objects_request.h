// The live-object dump of a running daemon, written next to its counter file: the preload
// library writes it when asked on its dump channel (preload/dump_channel_layout.h: no signal,
// no fd in the daemon); a daemon linking the accounting library itself when sent SIGUSR2.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "leakgate/daemon_process.h"

namespace leakgate {

// Asks the preload library in `pid` on its dump channel ("<counter_path>.dump") and waits for
// the answer (up to `timeout`: symbolizing runs addr2line). nullopt when no channel served by
// `pid` exists, the process is gone, or no answer came in time.
std::optional<std::string> request_preload_dump(pid_t pid, const std::string& counter_path,
                                                std::chrono::milliseconds timeout);

// The daemon's dump as JSON: on the preload library's channel when it has one, else by
// SIGUSR2 (only to a daemon whose counter file says, and whose /proc entry confirms, that it
// catches it). Null when the daemon publishes no counter file or no dump came.
nlohmann::json request_daemon_live_objects(DaemonProcess& daemon, const std::string& counter_path);

}  // namespace leakgate
