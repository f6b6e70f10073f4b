// A process started under libleakgate_preload.so (LEAKGATE_TEST_PRELOAD_LIB), publishing into
// a counter file in a test's directory, its stdout in a file there: what preload_test.cpp and
// preload_workers_test.cpp spawn. Killed (SIGTERM) and reaped at the end of its scope.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace leakgate::testing {

// `argv` under the preload library with LEAKGATE_STACKS=1; `dir` holds "stdout" and "counters".
// SIGTERM at the end: devnull_daemon stops its worker too.
class PreloadedProcess {
 public:
  PreloadedProcess(std::vector<std::string> argv, const std::filesystem::path& dir)
      : out_(dir / "stdout"), counters_((dir / "counters").string()) {
    std::vector<std::string> env_strings = {"LD_PRELOAD=" LEAKGATE_TEST_PRELOAD_LIB,
                                            "LEAKGATE_COUNTERS=" + counters_, "LEAKGATE_STACKS=1",
                                            "PATH=/usr/bin:/bin"};
    std::vector<char*> env, args;
    for (auto& entry : env_strings) env.push_back(entry.data());
    env.push_back(nullptr);
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~PreloadedProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  PreloadedProcess(const PreloadedProcess&) = delete;
  PreloadedProcess& operator=(const PreloadedProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& counters() const { return counters_; }
  // Waits up to `limit` for it to exit on its own; false if it did not (the destructor ends it).
  bool wait(std::chrono::seconds limit, int& status) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // The first line it printed, waiting up to 5 s.
  std::string first_line() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(out_);
      std::string line;
      if (std::getline(in, line) && !line.empty()) return line;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {};
  }

 private:
  std::filesystem::path out_;
  std::string counters_;
  pid_t pid_ = -1;
};

}  // namespace leakgate::testing
