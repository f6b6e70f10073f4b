// Integration: a real process publishes counters; this process reads them while it runs,
// asks for its live-object dump, and reads the at-exit values after it is gone.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "leakgate/counter_file.h"
#include "leakgate/live_dump.h"
#include "leakgate/unique_fd.h"
#include "../support/test_dir.h"

extern char** environ;

namespace leakgate {
namespace {

struct Demo {
  pid_t pid = -1;
  UniqueFd stdin_w, stdout_r;
};

Demo spawn_demo(const std::string& counters) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return {};
  Demo demo;
  demo.stdin_w.reset(in[1]);
  demo.stdout_r.reset(out[0]);
  UniqueFd child_in(in[0]), child_out(out[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
  std::vector<std::string> env_strings = {"LEAKGATE_COUNTERS=" + counters, "LEAKGATE_STACKS=1"};
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  char program[] = LEAKGATE_DEMO_PATH;
  char* argv[] = {program, nullptr};
  if (posix_spawn(&demo.pid, program, &actions, nullptr, argv, envp.data()) != 0) demo.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return demo;
}

std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

void expect_widgets(const CounterSnapshot& snap) {
  const KindSnapshot* w = snap.find("widgets");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->live, 4);
  EXPECT_EQ(w->created, 7);
  EXPECT_EQ(w->peak, 7);
#if LEAKGATE_TEST_TCMALLOC
  EXPECT_TRUE(snap.heap.has_value());
#else
  EXPECT_FALSE(snap.heap.has_value());
#endif
}

TEST(CountedObjects, CountersLiveAndAtExitWithCreationStacks) {
  testing::TestDir dir;
  const std::string path = dir.file("demo.counters");
  Demo demo = spawn_demo(path);
  ASSERT_GT(demo.pid, 0);
  ASSERT_EQ(read_line(demo.stdout_r.get()), "ready");

  auto reader = CounterFileReader::open(path);
  ASSERT_TRUE(reader.has_value());
  CounterSnapshot running = reader->read();
  EXPECT_EQ(running.pid, demo.pid);
  EXPECT_FALSE(running.exited);
  expect_widgets(running);

  const auto dump = request_live_dump(demo.pid, path, std::chrono::seconds(10));
  ASSERT_TRUE(dump.has_value());
  const auto doc = nlohmann::json::parse(*dump);
  const nlohmann::json* widgets = nullptr;
  for (const auto& k : doc["kinds"]) {
    if (k["kind"] == "widgets") widgets = &k;
  }
  ASSERT_NE(widgets, nullptr) << *dump;
  ASSERT_EQ((*widgets)["groups"].size(), 1u) << *dump;
  EXPECT_EQ((*widgets)["groups"][0]["count"], 4);
  // The creator is named with its source line (inlined constructors may come first).
  bool named = false;
  for (const std::string frame : (*widgets)["groups"][0]["frames"]) {
    if (frame.find("make_widget") == std::string::npos) continue;
    named = frame.find("counted_objects_demo.cpp:") != std::string::npos;
    break;
  }
  EXPECT_TRUE(named) << *dump;

  demo.stdin_w.reset();  // EOF: the demo returns from main
  int status = 0;
  ASSERT_EQ(waitpid(demo.pid, &status, 0), demo.pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  const CounterSnapshot after = reader->read();
  EXPECT_TRUE(after.exited);
  expect_widgets(after);
  auto fresh = CounterFileReader::open(path);  // a reader opened after exit sees the same
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(fresh->read().exited);
  expect_widgets(fresh->read());
}

}  // namespace
}  // namespace leakgate
