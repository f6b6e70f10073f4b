#include "daemon_spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "leakgate/unique_fd.h"

namespace tracker::cli {
namespace {

using Clock = std::chrono::steady_clock;
using leakgate::UniqueFd;

// In the grandchild, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_daemon(char* const* argv, int stdout_fd, const char* log_path) {
  ::setsid();
  const int null_fd = ::open("/dev/null", O_RDONLY);
  const int log_fd = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (null_fd < 0 || log_fd < 0) ::_exit(127);
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(stdout_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // nothing else of ours leaks into trackerd
  ::execvp(argv[0], argv);
  constexpr const char kMessage[] = "tracker: cannot execute trackerd\n";
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  ::_exit(127);
}

// Reads lines from `fd` until the ready line, EOF or the deadline.
std::optional<ReadyDaemon> read_ready_line(int fd, Clock::time_point deadline) {
  std::string buffer;
  for (;;) {
    for (auto newline = buffer.find('\n'); newline != std::string::npos;
         newline = buffer.find('\n')) {
      const auto line = nlohmann::json::parse(buffer.substr(0, newline), nullptr, false);
      buffer.erase(0, newline + 1);
      if (line.is_object() && line.value("event", "") == "ready") {
        return ReadyDaemon{line.value("pid", 0), line.value("endpoint", "")};
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      return std::nullopt;
    }
    char chunk[512];
    const ssize_t got = ::read(fd, chunk, sizeof(chunk));
    if (got == 0) return std::nullopt;  // trackerd exited before it was ready
    if (got > 0) buffer.append(chunk, static_cast<size_t>(got));
  }
}

std::string log_tail(const std::filesystem::path& log_path) {
  std::ifstream in(log_path);
  std::string line, tail;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) {
    tail += "\n  " + lines[i];
  }
  return tail;
}

}  // namespace

ReadyDaemon spawn_detached(const std::vector<std::string>& args,
                           const std::filesystem::path& log_path,
                           std::chrono::milliseconds timeout) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw SpawnError(std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  const std::string log = log_path.string();

  const pid_t child = ::fork();
  if (child < 0) throw SpawnError(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    // The intermediate child exits at once, so trackerd is reparented and never our zombie.
    if (::fork() == 0) exec_daemon(argv.data(), write_end.get(), log.c_str());
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  write_end.reset();  // only trackerd holds the write end now: EOF means it exited

  const auto ready = read_ready_line(read_end.get(), Clock::now() + timeout);
  if (!ready || ready->pid <= 0) {
    throw SpawnError("trackerd did not become ready (log " + log + "):" + log_tail(log_path));
  }
  return *ready;
}

std::optional<pid_t> read_pidfile(const std::filesystem::path& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return pid;
}

void write_pidfile(const std::filesystem::path& path, pid_t pid) {
  const auto temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << pid << "\n";
    if (!out) throw SpawnError("cannot write pidfile " + temp);
  }
  std::filesystem::rename(temp, path);
}

bool is_trackerd_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  // "pid (comm) S ...": comm may contain spaces, so split at the last ')'.
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= text.size()) {
    return false;
  }
  const char state = text[close + 2];
  return text.substr(open + 1, close - open - 1) == "trackerd" && state != 'Z' && state != 'X';
}

bool wait_until_gone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (is_trackerd_running(pid)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace tracker::cli
