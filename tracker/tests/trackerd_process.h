// A real trackerd for integration tests: forked with its own temp socket and database, ready
// once its readiness line arrives, stopped by signal with a deadline, killed if left running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tracker::testing {

using std::chrono::milliseconds;

// Path of the trackerd under test (a compile definition from CMake).
std::string trackerd_path();

struct ExitStatus {
  bool exited = false;  // false: killed by a signal, or still running at the deadline
  int code = -1;        // exit code when exited
  int signal = 0;
  milliseconds took{0};
};

class TrackerdProcess {
 public:
  // Starts trackerd with `args` and `env` added to the environment; stderr goes to
  // `log_path`. Waits for the ready line; throws std::runtime_error (with the log) otherwise.
  TrackerdProcess(std::vector<std::string> args, const std::filesystem::path& log_path,
                  std::map<std::string, std::string> env = {},
                  milliseconds timeout = milliseconds(10000));
  ~TrackerdProcess();  // SIGKILL and reap if still running
  TrackerdProcess(const TrackerdProcess&) = delete;
  TrackerdProcess& operator=(const TrackerdProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& endpoint() const { return endpoint_; }
  std::string log() const;

  // Sends `signo` and waits up to `timeout` for the exit.
  ExitStatus stop(int signo, milliseconds timeout = milliseconds(5000));
  // Waits for an exit caused by something else (e.g. POST /shutdown).
  ExitStatus wait(milliseconds timeout = milliseconds(5000));
  void kill_hard();  // SIGKILL + reap

 private:
  pid_t pid_ = -1;
  std::string endpoint_;
  std::filesystem::path log_path_;
};

// Runs trackerd to completion (for startup failures); stderr goes to `log_path`.
ExitStatus run_trackerd(std::vector<std::string> args, const std::filesystem::path& log_path,
                        milliseconds timeout = milliseconds(10000));

// Reads a leakgate counter file: the live count of `kind`, nullopt if absent.
std::optional<int64_t> counter_live(const std::filesystem::path& counter_file,
                                    const std::string& kind);
bool counter_file_exited(const std::filesystem::path& counter_file);

}  // namespace tracker::testing
