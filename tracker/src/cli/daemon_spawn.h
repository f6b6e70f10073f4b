// Running trackerd in the background for `tracker daemon start|stop|status`: a detached
// start that waits for the readiness line, the pidfile, and waiting for a pid to go away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tracker::cli {

class SpawnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReadyDaemon {
  pid_t pid = 0;
  std::string endpoint;
};

// Starts argv[0] detached from this process (double fork + setsid: no controlling terminal,
// not our child), stdin from /dev/null, stderr appended to `log_path`, and waits for its
// {"event":"ready",...} line on stdout. Throws SpawnError if it exits or times out first.
ReadyDaemon spawn_detached(const std::vector<std::string>& argv,
                           const std::filesystem::path& log_path,
                           std::chrono::milliseconds timeout);

std::optional<pid_t> read_pidfile(const std::filesystem::path& path);
void write_pidfile(const std::filesystem::path& path, pid_t pid);

// True while `pid` is a live (not zombie) process named trackerd: a recycled pid is not ours.
bool is_trackerd_running(pid_t pid);
// Polls until `pid` is no longer a running trackerd; false on timeout.
bool wait_until_gone(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace tracker::cli
