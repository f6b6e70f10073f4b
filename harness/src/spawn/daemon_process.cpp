#include "leakgate/daemon_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/search_path.hpp>
#include <boost/process/start_dir.hpp>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace bp = boost::process;

namespace leakgate {
namespace {

// Runs in the child between fork and exec. Boost.Process 1.74 makes its pipes without
// O_CLOEXEC and bp::limit_handles also closes redirected stdout, so we mark every fd above
// 2 close-on-exec ourselves; the daemon gets its own group so a stop reaches its children.
// Like systemd, it starts with every signal at its default action and none blocked: what
// leakgate inherited (SIGINT ignored under nohup or in a background job) would otherwise
// pass on, and a daemon could neither trap nor die of its stop signal.
// It enters the per-test cgroup first, so everything it forks is born there.
struct ChildSetup : bp::extend::handler {
  pid_t parent;
  const std::vector<int>* cgroup_procs_fds;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    // "0" is the writer itself. A refusal leaves it outside, which the parent checks.
    for (int fd : *cgroup_procs_fds) {
      if (::write(fd, "0", 1) != 1) break;
    }
    for (int signo = 1; signo < NSIG; ++signo) {
      if (signo != SIGKILL && signo != SIGSTOP) ::signal(signo, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the harness died before we got here
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  }
};

std::string read_tail(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(in.tellg());
  const size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string data(size - start, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  return data;
}

void sleep_ms(int ms) {
  struct timespec pause {
    ms / 1000, (ms % 1000) * 1'000'000L
  };
  nanosleep(&pause, nullptr);
}

}  // namespace

std::string signal_name(int signo) {
  const char* name = sigabbrev_np(signo);
  return name ? std::string("SIG") + name : "signal " + std::to_string(signo);
}

std::string ExitStatus::describe() const {
  std::string text;
  if (signal) {
    text = "killed by " + signal_name(*signal);
  } else if (code) {
    text = "exit code " + std::to_string(*code);
  } else {
    text = "unknown exit";
  }
  if (killed_after_timeout) text += " (did not stop in time; SIGKILL sent)";
  return text;
}

DaemonProcess::DaemonProcess(DaemonLaunch launch) : launch_(std::move(launch)) {
  if (launch_.argv.empty()) throw DaemonError("daemon command is empty");
  std::error_code ec;
  std::filesystem::create_directories(launch_.workdir, ec);
  bp::environment env = boost::this_process::environment();
  // set(), not env[key]: Boost 1.74's environment::find compares key.size()+1 bytes of every
  // entry however short it is, a heap over-read AddressSanitizer reports.
  for (const auto& [key, value] : launch_.env) env.set(key, value);
  // The daemon starts in its work directory: a relative path means relative to ours.
  std::string& exe = launch_.argv.front();
  if (exe.find('/') != std::string::npos && exe.front() != '/') {
    exe = std::filesystem::absolute(exe).lexically_normal().string();
  }
  if (exe.find('/') != std::string::npos && access(exe.c_str(), X_OK) != 0) {
    throw DaemonError("cannot execute daemon '" + exe + "': " + std::strerror(errno));
  }
  std::vector<std::string> args(launch_.argv.begin() + 1, launch_.argv.end());
  try {
    std::string program = exe;
    if (exe.find('/') == std::string::npos) {
      auto found = bp::search_path(exe);
      if (found.empty()) throw DaemonError("daemon '" + exe + "' not found on PATH");
      program = found.string();
    }
    bp::child child(bp::exe = program, bp::args = args,
                    bp::std_in<bp::null, bp::std_out> stdout_path().string(),
                    bp::std_err > stderr_path().string(), env,
                    bp::start_dir = launch_.workdir.string(), ChildSetup{{}, getpid(), &launch_.cgroup_procs_fds});
    pid_ = child.id();
    child.detach();  // we reap it ourselves: bp::child::terminate can leave zombies
  } catch (const bp::process_error& e) {
    throw DaemonError("cannot start daemon '" + exe + "': " + e.what());
  }
  started_ = std::chrono::steady_clock::now();
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && !exit_) kill_group_and_reap();
}

std::filesystem::path DaemonProcess::stdout_path() const {
  return launch_.workdir / (launch_.log_prefix + ".stdout");
}
std::filesystem::path DaemonProcess::stderr_path() const {
  return launch_.workdir / (launch_.log_prefix + ".stderr");
}

std::optional<ExitStatus> DaemonProcess::poll_exit() {
  if (exit_) return exit_;
  int status = 0;
  const pid_t got = waitpid(pid_, &status, WNOHANG);
  if (got == pid_) {
    ExitStatus result;
    if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    exit_ = result;
    // Anything it left in its group (helpers, parked children) goes too.
    if (group_kill_on_exit_) kill(-pid_, SIGKILL);
  } else if (got < 0 && errno == ECHILD) {
    exit_ = ExitStatus{};
  }
  return exit_;
}

ReadyInfo DaemonProcess::wait_ready_stdout(std::chrono::milliseconds timeout) {
  const auto deadline = started_ + timeout;
  size_t scanned = 0;
  std::string pending;
  for (;;) {
    // The readiness line is read from the captured stdout file: no pipe to inherit or drain.
    std::ifstream in(stdout_path(), std::ios::binary);
    if (in) {
      in.seekg(static_cast<std::streamoff>(scanned));
      std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      scanned += chunk.size();
      pending += chunk;
      size_t newline;
      while ((newline = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, newline);
        pending.erase(0, newline + 1);
        auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_object() && json.value("event", "") == "ready") {
          ReadyInfo info{pid_, json.value("endpoint", ""),
                         std::chrono::steady_clock::now() - started_};
          if (json.contains("pid") && json["pid"].is_number_integer()) {
            info.reported_pid = json["pid"].get<pid_t>();
          }
          return info;
        }
      }
    }
    if (auto status = poll_exit()) {
      throw DaemonError("daemon exited before it was ready (" + status->describe() + ")");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw DaemonError("daemon printed no readiness line within " +
                        std::to_string(timeout.count()) + " ms");
    }
    sleep_ms(2);
  }
}

bool DaemonProcess::signal(int signo) {
  if (poll_exit()) return false;
  return ::kill(pid(), signo) == 0;
}

bool DaemonProcess::adopt(pid_t daemon) {
  if (daemon <= 0 || daemon == pid_ || poll_exit() || getpgid(daemon) != pid_) return false;
  adopted_ = daemon;
  return true;
}

ExitStatus DaemonProcess::stop(std::chrono::milliseconds grace, int stop_signal) {
  if (auto status = poll_exit()) return *status;
  ::kill(pid(), stop_signal);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto status = poll_exit()) return *status;
    sleep_ms(2);
  }
  kill_group_and_reap();
  exit_->killed_after_timeout = true;
  return *exit_;
}

void DaemonProcess::kill_group() { signal_group(SIGKILL); }

void DaemonProcess::signal_group(int signo) {
  if (pid_ > 0) ::kill(-pid_, signo);
}

void DaemonProcess::kill_group_and_reap() {
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  ExitStatus result;
  if (waitpid(pid_, &status, 0) == pid_) {
    if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  }
  exit_ = result;
}

std::string DaemonProcess::stdout_tail(size_t max_bytes) const {
  return read_tail(stdout_path(), max_bytes);
}
std::string DaemonProcess::stderr_tail(size_t max_bytes) const {
  return read_tail(stderr_path(), max_bytes);
}

}  // namespace leakgate
