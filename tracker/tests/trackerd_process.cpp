#include "trackerd_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "leakgate/counter_file.h"
#include "leakgate/unique_fd.h"

namespace tracker::testing {
namespace {

using Clock = std::chrono::steady_clock;
using leakgate::UniqueFd;

struct Spawned {
  pid_t pid;
  UniqueFd stdout_read;
};

Spawned spawn(std::vector<std::string> args, const std::filesystem::path& log_path,
              const std::map<std::string, std::string>& env) {
  args.insert(args.begin(), trackerd_path());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    if (!env.count(text.substr(0, text.find('=')))) env_strings.push_back(text);
  }
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  UniqueFd log_fd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!log_fd) throw std::runtime_error("cannot open " + log_path.string());
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test must not leave daemons behind
    if (::getppid() != parent) ::_exit(127);
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::dup2(log_fd.get(), STDERR_FILENO);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;  // the test may have signals blocked; trackerd sets its own mask
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return Spawned{pid, std::move(read_end)};
}

ExitStatus wait_for(pid_t pid, milliseconds timeout) {
  const auto start = Clock::now();
  ExitStatus status;
  for (;;) {
    int raw = 0;
    const pid_t done = ::waitpid(pid, &raw, WNOHANG);
    if (done == pid) {
      status.exited = WIFEXITED(raw);
      status.code = status.exited ? WEXITSTATUS(raw) : -1;
      status.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
      status.took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      return status;
    }
    if (done < 0 && errno != EINTR) return status;
    if (Clock::now() - start > timeout) {
      status.took = timeout;
      return status;
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string trackerd_path() { return TRACKERD_PATH; }

TrackerdProcess::TrackerdProcess(std::vector<std::string> args,
                                 const std::filesystem::path& log_path,
                                 std::map<std::string, std::string> env, milliseconds timeout)
    : log_path_(log_path) {
  Spawned child = spawn(std::move(args), log_path, env);
  pid_ = child.pid;
  const auto deadline = Clock::now() + timeout;
  std::string buffer;
  while (buffer.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    pollfd readable{child.stdout_read.get(), POLLIN, 0};
    char chunk[256];
    ssize_t got = -1;
    if (left > 0 && ::poll(&readable, 1, static_cast<int>(left)) > 0) {
      got = ::read(child.stdout_read.get(), chunk, sizeof(chunk));
    }
    if (got <= 0) {
      kill_hard();
      throw std::runtime_error("trackerd did not become ready:\n" + log());
    }
    buffer.append(chunk, static_cast<size_t>(got));
  }
  const auto line = nlohmann::json::parse(buffer.substr(0, buffer.find('\n')));
  if (line.at("event") != "ready" || line.at("pid").get<pid_t>() != pid_) {
    kill_hard();
    throw std::runtime_error("unexpected readiness line: " + buffer);
  }
  endpoint_ = line.at("endpoint").get<std::string>();
}

TrackerdProcess::~TrackerdProcess() { kill_hard(); }

std::string TrackerdProcess::log() const { return read_file(log_path_); }

ExitStatus TrackerdProcess::stop(int signo, milliseconds timeout) {
  if (pid_ <= 0) return {};
  ::kill(pid_, signo);
  return wait(timeout);
}

ExitStatus TrackerdProcess::wait(milliseconds timeout) {
  if (pid_ <= 0) return {};
  ExitStatus status = wait_for(pid_, timeout);
  if (status.exited || status.signal != 0) pid_ = -1;
  return status;
}

void TrackerdProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int raw = 0;
  while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

ExitStatus run_trackerd(std::vector<std::string> args, const std::filesystem::path& log_path,
                        milliseconds timeout) {
  Spawned child = spawn(std::move(args), log_path, {});
  ExitStatus status = wait_for(child.pid, timeout);
  if (!status.exited && status.signal == 0) {
    ::kill(child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
  }
  return status;
}

std::optional<int64_t> counter_live(const std::filesystem::path& counter_file,
                                    const std::string& kind) {
  auto reader = leakgate::CounterFileReader::open(counter_file.string());
  if (!reader) return std::nullopt;
  const auto snapshot = reader->read();
  const auto* found = snapshot.find(kind);
  if (found == nullptr) return std::nullopt;
  return found->live;
}

bool counter_file_exited(const std::filesystem::path& counter_file) {
  auto reader = leakgate::CounterFileReader::open(counter_file.string());
  return reader && reader->read().exited;
}

}  // namespace tracker::testing
