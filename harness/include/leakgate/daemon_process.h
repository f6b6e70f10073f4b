// One daemon under test: spawned in its own process group with stdout/stderr captured to
// files, readiness awaited with a timeout, stopped gracefully (SIGTERM, then SIGKILL).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace leakgate {

struct DaemonLaunch {
  std::vector<std::string> argv;           // wrapper + command, already expanded
  std::map<std::string, std::string> env;  // added to the harness's environment
  std::filesystem::path workdir;           // cwd; stdout/stderr files go here
  std::string log_prefix = "daemon";       // <workdir>/<prefix>.stdout / .stderr
  // cgroup.procs files open for writing (spawn/daemon_cgroup.h): the child writes "0" to
  // each before exec, so the daemon starts inside the per-test cgroup. Not owned.
  std::vector<int> cgroup_procs_fds;
};

struct ExitStatus {
  std::optional<int> code;    // exit code when it exited
  std::optional<int> signal;  // terminating signal when killed
  bool killed_after_timeout = false;
  std::string describe() const;  // "exit code 0", "killed by SIGSEGV", ...
};

std::string signal_name(int signo);  // "SIGTERM"; "signal 42" for one without a name

struct ReadyInfo {
  pid_t pid = -1;
  std::string endpoint;  // from the readiness line, empty if none was given
  std::chrono::steady_clock::duration took{};
  pid_t reported_pid = -1;  // the readiness line's "pid", if it has one
};

class DaemonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DaemonProcess {
 public:
  // Spawns; throws DaemonError when the binary cannot be executed.
  explicit DaemonProcess(DaemonLaunch launch);
  ~DaemonProcess();  // kills the whole group if still running; never throws
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // The daemon: the spawned process, or the one adopted from behind a wrapper.
  pid_t pid() const { return adopted_ > 0 ? adopted_ : pid_; }
  const DaemonLaunch& launch() const { return launch_; }
  std::filesystem::path stdout_path() const;
  std::filesystem::path stderr_path() const;

  // Waits for a line {"event":"ready",...} on stdout. Throws DaemonError when the daemon
  // exits first or the timeout passes (the message says which, with the exit status).
  ReadyInfo wait_ready_stdout(std::chrono::milliseconds timeout);
  // Polls `probe` (returns true when ready) until it does, the daemon exits, or the timeout.
  template <class Probe>
  ReadyInfo wait_ready(std::chrono::milliseconds timeout, Probe&& probe);

  // Non-blocking: the exit status once the daemon has exited (reaped), else nullopt.
  std::optional<ExitStatus> poll_exit();
  bool running() { return !poll_exit().has_value(); }

  // stop_signal (SIGTERM unless the scenario says otherwise) to the daemon, wait up to grace,
  // then SIGKILL to its process group. Idempotent.
  ExitStatus stop(std::chrono::milliseconds grace, int stop_signal = SIGTERM);
  // Sends a signal to the daemon (not the group). Returns false when it is gone.
  bool signal(int signo);

  // A wrapper that runs the daemon as its child (heaptrack's script, a shell) is not the
  // daemon: from now on pid(), signal() and stop()'s SIGTERM mean `daemon`, while the exit
  // awaited is still the wrapper's. Only a process of the daemon's own group is adopted.
  bool adopt(pid_t daemon);

  // By default, the daemon's exit kills what is left in its process group at once. A runner
  // that first looks at what was left (escaped descendants) turns that off and calls
  // kill_group() itself.
  void set_group_kill_on_exit(bool on) { group_kill_on_exit_ = on; }
  void kill_group();
  void signal_group(int signo);  // to every process left in the daemon's group

  // Last `max_bytes` of the captured streams.
  std::string stdout_tail(size_t max_bytes = 4096) const;
  std::string stderr_tail(size_t max_bytes = 4096) const;

 private:
  void kill_group_and_reap();
  DaemonLaunch launch_;
  pid_t pid_ = -1;
  pid_t adopted_ = -1;
  std::optional<ExitStatus> exit_;
  std::chrono::steady_clock::time_point started_;
  bool group_kill_on_exit_ = true;
};

template <class Probe>
ReadyInfo DaemonProcess::wait_ready(std::chrono::milliseconds timeout, Probe&& probe) {
  const auto deadline = started_ + timeout;
  for (;;) {
    if (auto status = poll_exit()) {
      throw DaemonError("daemon exited before it was ready (" + status->describe() + ")");
    }
    if (probe()) return ReadyInfo{pid_, {}, std::chrono::steady_clock::now() - started_};
    if (std::chrono::steady_clock::now() > deadline) {
      throw DaemonError("daemon not ready after " + std::to_string(timeout.count()) + " ms");
    }
    struct timespec pause {
      0, 5'000'000
    };
    nanosleep(&pause, nullptr);
  }
}

}  // namespace leakgate
