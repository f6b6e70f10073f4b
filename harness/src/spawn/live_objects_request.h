// The live-object dump of a running daemon: the accounting library (or the preload library)
// writes it next to its counter file when asked with SIGUSR2.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "leakgate/daemon_process.h"

namespace leakgate {

// Asks the daemon (SIGUSR2) to dump its live objects next to its counter file and waits for
// the dump (up to 10 s: symbolizing runs addr2line). Returns null when the daemon publishes no
// counter file or no dump came.
nlohmann::json request_daemon_live_objects(DaemonProcess& daemon, const std::string& counter_path);

}  // namespace leakgate
