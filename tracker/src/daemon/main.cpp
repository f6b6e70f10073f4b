// trackerd: the issue tracker daemon. See `trackerd --help`.
#include <cstdio>
#include <exception>

#include "daemon.h"
#include "leakgate/counter_file.h"
#include "listener.h"
#include "signal_watcher.h"

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask.
  tracker::block_termination_signals();
  auto parsed = tracker::parse_daemon_options(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  // Started early, destroyed after main returns: it outlives everything it counts.
  leakgate::CounterPublisher::start_from_environment();
  try {
    return tracker::run_daemon(std::get<tracker::DaemonOptions>(parsed));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "trackerd: %s\n", error.what());
    return tracker::kExitFailure;
  }
}
