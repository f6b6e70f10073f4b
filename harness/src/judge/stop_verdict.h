// The stop verdict: whether the way a daemon ended after leakgate asked it to stop is clean.
#pragma once

#include <string>
#include <vector>

#include "leakgate/daemon_process.h"

namespace leakgate {

// How a stop that leakgate asked for ended, judged the way systemd judges a service
// (SuccessExitStatus=): an exit code listed as clean, or death by SIGHUP, SIGINT, SIGTERM or
// SIGPIPE, is a clean stop. Most Python, Node and shell daemons keep the default SIGTERM
// disposition and die of it; that is how they are meant to stop.
struct StopVerdict {
  bool clean = false;
  bool ran_exit_path = false;  // it exited by itself: at-exit figures describe its cleanup
  std::string description;     // "stopped by SIGTERM without a handler", "exit code 0 after SIGINT"
};
StopVerdict judge_stop(const ExitStatus& status, int stop_signal,
                       const std::vector<int>& clean_exit_codes);

}  // namespace leakgate
