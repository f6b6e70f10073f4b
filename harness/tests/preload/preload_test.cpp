// libleakgate_preload.so in a process that does not link leakgate (fd_churn.c): what the
// counter file says after a close in a signal handler, dup2 over a recorded fd,
// close_range, a forked child and a spawned helper.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "leakgate/counter_file.h"

extern char** environ;

namespace leakgate {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "preload_test." + std::to_string(getpid()) + "." + name;
}

std::string read_line(const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    std::string line;
    if (std::getline(in, line) && !line.empty()) return line;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {};
}

TEST(Preload, CountsWhatTheProcessKeepsOpenThroughTheAwkwardCases) {
  const std::string counters = temp_path("counters");
  const std::string out = temp_path("stdout");
  std::vector<std::string> env_strings = {"LD_PRELOAD=" LEAKGATE_TEST_PRELOAD_LIB,
                                          "LEAKGATE_COUNTERS=" + counters, "LEAKGATE_STACKS=1",
                                          "PATH=/usr/bin:/bin"};
  std::vector<char*> env;
  for (auto& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  char program[] = LEAKGATE_TEST_FD_CHURN;
  char* argv[] = {program, nullptr};
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, program, &actions, nullptr, argv, env.data()), 0);
  posix_spawn_file_actions_destroy(&actions);

  const std::string line = read_line(out, std::chrono::seconds(5));
  EXPECT_EQ(line, R"({"env_clean":1,"child":0})");
  // Releases reach the file through the drainer thread within a few ms.
  std::optional<CounterSnapshot> snapshot;
  const KindSnapshot* fds = nullptr;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto reader = CounterFileReader::open(counters)) {
      snapshot = reader->read();
      fds = snapshot->find("fds");
      if (fds != nullptr && fds->live == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_NE(fds, nullptr) << "no kind \"fds\" in " << counters;
  EXPECT_EQ(fds->live, 2);
  EXPECT_EQ(fds->created, 8);  // 3 opens, 3 dup2s, the pipe's two ends: not the child's 5
  EXPECT_EQ(snapshot->pid, pid);

  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::remove(counters.c_str());
  std::remove(out.c_str());
}

}  // namespace
}  // namespace leakgate
