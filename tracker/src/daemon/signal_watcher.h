// Termination signals without signal handlers: they are blocked in every thread and a
// dedicated thread receives them with sigwait, so no work ever runs in a handler.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace tracker {

// Blocks SIGTERM, SIGINT and SIGHUP (which must not kill the daemon the default way) in the
// calling thread. Call first thing in main, before any thread exists: threads inherit the
// mask. SIGUSR2 (leakgate's dump request) stays open.
void block_termination_signals();

class SignalWatcher {
 public:
  // Calls on_signal(signo) on the watcher thread for each termination signal received.
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();  // wakes and joins the watcher thread
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void run();

  std::function<void(int)> on_signal_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tracker
