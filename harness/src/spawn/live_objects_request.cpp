#include "spawn/live_objects_request.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "leakgate/live_dump.h"
#include "leakgate/proc_parse.h"

namespace leakgate {
namespace {

// The kernel's word on it: the counter file's "handles SIGUSR2" flag can be stale (a wrapper
// script loaded the preload library, then exec'd the daemon, which reset the handler), and
// SIGUSR2's default action kills.
bool catches_signal(pid_t pid, int signo) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::ostringstream status;
  status << in.rdbuf();
  const auto caught = parse_status_signal_mask(status.str(), "SigCgt");
  return caught && (*caught & (uint64_t{1} << (signo - 1))) != 0;
}

}  // namespace

nlohmann::json request_daemon_live_objects(DaemonProcess& daemon, const std::string& counter_path) {
  if (!daemon.running() || !catches_signal(daemon.pid(), SIGUSR2)) return nullptr;
  auto text = request_live_dump(daemon.pid(), counter_path, std::chrono::seconds(10));
  if (!text) return nullptr;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

}  // namespace leakgate
