// libleakgate_preload.so in a process that does not link leakgate (fd_churn.c): what the
// counter file says after a close in a signal handler, dup2 over a recorded fd,
// close_range, a forked child and a spawned helper; and (heap_pattern.c) whether its heap
// figure follows every malloc-family function, threads and a fork exactly.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../support/test_dir.h"
#include "leakgate/counter_file.h"
#include "leakgate/live_dump.h"
#include "leakgate/proc_parse.h"
#include "preloaded_process.h"
#include "spawn/live_objects_request.h"

extern char** environ;

namespace leakgate {
namespace {

using testing::PreloadedProcess;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "preload_test." + std::to_string(getpid()) + "." + name;
}

// The counter file and every file named after it: the dump channel, the dump, and the files of
// each forked child, which the library watches as a worker ("<counters>.<pid>...").
void remove_counter_files(const std::string& counters) {
  const std::filesystem::path path(counters);
  const std::string name = path.filename().string();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path(), ec)) {
    const std::string other = entry.path().filename().string();
    if (other == name || other.rfind(name + ".", 0) == 0) std::filesystem::remove(entry.path(), ec);
  }
}

TEST(Preload, CountsWhatTheProcessKeepsOpenThroughTheAwkwardCases) {
  const testing::TestDir dir{"preload"};  // declared first: removed after the process ends
  const PreloadedProcess churn({LEAKGATE_TEST_FD_CHURN}, dir.path());
  ASSERT_GT(churn.pid(), 0);
  const std::string& counters = churn.counters();

  const std::string line = churn.first_line();
  EXPECT_EQ(line, R"({"owner_marked":1,"child":0})");
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
  EXPECT_EQ(snapshot->pid, churn.pid());
}

// Spawns `program` preloaded, publishing into `counters`, with pipes for stdin and stdout.
struct Preloaded {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;

  // `allocator`: a shared library preloaded after this one (the daemon's own allocator), or
  // before it when `allocator_first`.
  Preloaded(const char* program, const std::string& counters,
            const std::vector<std::string>& more_env = {}, const std::string& allocator = {},
            bool allocator_first = false) {
    const std::string library = LEAKGATE_TEST_PRELOAD_LIB;
    const std::string preload = allocator.empty() ? library
                                : allocator_first ? allocator + ":" + library
                                                  : library + ":" + allocator;
    std::vector<std::string> env_strings = {"LD_PRELOAD=" + preload,
                                            "LEAKGATE_COUNTERS=" + counters, "LEAKGATE_STACKS=1"};
    env_strings.insert(env_strings.end(), more_env.begin(), more_env.end());
    std::vector<char*> env;
    for (auto& entry : env_strings) env.push_back(entry.data());
    env.push_back(nullptr);
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::string path = program;
    char* argv[] = {path.data(), nullptr};
    if (posix_spawn(&pid, program, &actions, nullptr, argv, env.data()) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    to_child = in[1];
    from_child = out[0];
  }
  ~Preloaded() {
    close(to_child);
    close(from_child);
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  // One line of the child's stdout; empty after 5 s without one.
  std::string line() {
    std::string text;
    char c = 0;
    pollfd pfd{from_child, POLLIN, 0};
    while (poll(&pfd, 1, 5000) == 1 && read(from_child, &c, 1) == 1 && c != '\n') text += c;
    return text;
  }
  void send(const char* text) { ASSERT_GT(write(to_child, text, strlen(text)), 0); }
};

// The figure the publisher refreshes every 2 ms: waits (up to 2 s) until it reads `want`.
std::pair<int64_t, int64_t> heap_figure(const std::string& counters,
                                        std::optional<std::pair<int64_t, int64_t>> want) {
  std::pair<int64_t, int64_t> seen{-1, -1};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  do {
    if (auto reader = CounterFileReader::open(counters)) {
      const CounterSnapshot snapshot = reader->read();
      seen = {snapshot.heap.value_or(-1), snapshot.heap_blocks.value_or(-1)};
      if (!want || seen == *want) return seen;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  return seen;
}

// Voluntary context switches (times it went to sleep) of each thread of `pid` but the main one.
std::map<pid_t, long> sleeps_of_other_threads(pid_t pid) {
  std::map<pid_t, long> sleeps;
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(task_dir, error)) {
    const pid_t tid = static_cast<pid_t>(std::atol(entry.path().filename().c_str()));
    if (tid == pid) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    // The dump thread sleeps until asked, and a dump allocates nothing that is counted.
    if (std::getline(comm, name) && name == "leakgate-dump") continue;
    std::ifstream status(entry.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) {
        sleeps[tid] = std::atol(line.c_str() + line.find(':') + 1);
      }
    }
  }
  return sleeps;
}

// The heap figure of an idle child, as of now. The publisher refreshes it every 2 ms, so what
// the file holds right after the child's "ready" can predate the child's last allocations
// (heap_pattern's four warm-up threads, and the preload's own publisher and fd-drainer threads
// when the child got there within 2 ms of the constructor's first figure). Once every thread
// but the main one (blocked reading stdin) went to sleep twice since this call began, the
// publisher ran a whole loop - wake, refresh, sleep - after it: the figure is current.
std::pair<int64_t, int64_t> current_heap_figure(pid_t pid, const std::string& counters) {
  const auto start = sleeps_of_other_threads(pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    const auto now = sleeps_of_other_threads(pid);
    const bool cycled = !start.empty() && std::all_of(start.begin(), start.end(), [&](auto& s) {
      const auto it = now.find(s.first);
      return it != now.end() && it->second >= s.second + 2;
    });
    if (cycled) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "the preload's threads in " << pid << " did not cycle within 2 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return heap_figure(counters, std::nullopt);
}

// The phases of heap_pattern.c, each checked against the figure it should leave.
void expect_heap_follows_every_phase(const std::string& allocator) {
  const std::string counters = temp_path("heap-counters");
  Preloaded child(LEAKGATE_TEST_HEAP_PATTERN, counters, {}, allocator);
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(child.line(), "ready");
  auto before = current_heap_figure(child.pid, counters);
  ASSERT_GT(before.first, 0) << "no heap figure in " << counters;
  ASSERT_GT(before.second, 0);
  const char* const phases[] = {"every function", "free of a block made before the preload started",
                                "fork", "threads", "free all"};
  for (const char* phase : phases) {
    SCOPED_TRACE(phase);
    child.send("go\n");
    std::istringstream answer(child.line());
    int number = 0;
    int64_t bytes = 0, blocks = 0;
    ASSERT_TRUE(answer >> number >> bytes >> blocks);
    const std::pair<int64_t, int64_t> want{before.first + bytes, before.second + blocks};
    const auto after = heap_figure(counters, want);
    EXPECT_EQ(after, want);
    before = after;
  }
  remove_counter_files(counters);
}

TEST(Preload, HeapFigureFollowsEveryAllocationFunctionExactly) {
  expect_heap_follows_every_phase({});
}

// The same under jemalloc (as Debian's redis-server links it): every call forwarded to
// jemalloc, its malloc_usable_size measuring, pvalloc (which jemalloc lacks) built from its
// memalign instead of glibc's.
TEST(Preload, HeapFigureFollowsEveryAllocationFunctionExactlyOnJemalloc) {
  const std::string jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
  if (!std::filesystem::exists(jemalloc)) GTEST_SKIP() << jemalloc << " is not installed";
  expect_heap_follows_every_phase(jemalloc);
}

// jemalloc preloaded ahead of the library: its malloc is the process's, the hooks never see
// it, and no heap figure is published. pvalloc, which jemalloc lacks, still reaches the
// library's hook: it must be served by jemalloc (its memalign), not by glibc behind the
// library, or jemalloc's free crashes on it (heap_pattern under jemalloc alone does).
TEST(Preload, AnAllocatorAheadOfTheLibraryServesWhatStillReachesTheHooks) {
  const std::string jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
  if (!std::filesystem::exists(jemalloc)) GTEST_SKIP() << jemalloc << " is not installed";
  const std::string counters = temp_path("ahead-counters");
  Preloaded child(LEAKGATE_TEST_HEAP_PATTERN, counters, {}, jemalloc, /*allocator_first=*/true);
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(child.line(), "ready");
  for (int phase = 1; phase <= 5; ++phase) {
    child.send("go\n");
    EXPECT_EQ(child.line().rfind(std::to_string(phase) + " ", 0), 0u) << "phase " << phase;
  }
  close(child.to_child);  // heap_pattern exits at the end of stdin
  child.to_child = -1;
  int status = 0;
  ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
  child.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  const auto reader = CounterFileReader::open(counters);
  ASSERT_TRUE(reader.has_value());
  EXPECT_FALSE(reader->read().heap.has_value());
  remove_counter_files(counters);
}

// Bytes and blocks of the dump's heap_sites whose stack passes through `function`.
std::pair<int64_t, int64_t> sampled_at(const nlohmann::json& dump, const std::string& function) {
  std::pair<int64_t, int64_t> sum{0, 0};
  for (const auto& site : dump.value("heap_sites", nlohmann::json::array())) {
    for (const auto& frame : site["frames"]) {
      if (frame.get<std::string>().rfind(function + " (", 0) == 0) {
        sum.first += site["bytes"].get<int64_t>();
        sum.second += site["count"].get<int64_t>();
        break;
      }
    }
  }
  return sum;
}

// With a mean of 1 byte every allocation is sampled (p = 1 - e^-size, within 1e-10 of 1), so
// the dump's estimates are the exact live bytes: what is freed or reallocated must leave.
TEST(Preload, DumpListsTheLiveSampledAllocationsBySite) {
  const std::string counters = temp_path("sites-counters");
  Preloaded child(LEAKGATE_TEST_HEAP_PATTERN, counters, {"LEAKGATE_HEAP_SAMPLE=1"});
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(child.line(), "ready");
  child.send("go\n");
  std::istringstream answer(child.line());
  int phase = 0;
  int64_t bytes = 0, blocks = 0;
  ASSERT_TRUE(answer >> phase >> bytes >> blocks);
  auto dump = request_preload_dump(child.pid, counters, std::chrono::seconds(10));
  ASSERT_TRUE(dump.has_value());
  const auto first = nlohmann::json::parse(*dump);
  EXPECT_EQ(sampled_at(first, "phase_every_function"), std::make_pair(bytes, blocks)) << *dump;
  for (int i = 2; i <= 5; ++i) {
    child.send("go\n");
    ASSERT_FALSE(child.line().empty());
  }
  dump = request_preload_dump(child.pid, counters, std::chrono::seconds(10));
  ASSERT_TRUE(dump.has_value());
  const auto last = nlohmann::json::parse(*dump);
  EXPECT_EQ(sampled_at(last, "phase_every_function"), std::make_pair(int64_t{0}, int64_t{0}))
      << *dump;
  remove_counter_files(counters);
}

std::string proc_text(pid_t pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + entry);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// fd number -> what it is, of every fd `pid` holds.
std::map<int, std::string> fd_targets(pid_t pid) {
  std::map<int, std::string> targets;
  std::error_code error;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    targets[std::atoi(entry.path().filename().c_str())] =
        std::filesystem::read_symlink(entry.path(), error).string();
  }
  return targets;
}

// The dump is asked for on the channel file, not by a signal: the process catches no signal
// it did not catch itself, holds no fd for the channel, and what the library allocates to
// render the dump (JSON, symbols and their caches) is not in the heap figure.
TEST(Preload, DumpChannelTakesNoSignalNoFdAndNoHeap) {
  const std::string counters = temp_path("channel-counters");
  Preloaded child(LEAKGATE_TEST_HEAP_PATTERN, counters, {"LEAKGATE_HEAP_SAMPLE=1"});
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(child.line(), "ready");
  child.send("go\n");  // allocations to sample: the dump then has sites to symbolize
  ASSERT_FALSE(child.line().empty());
  const auto caught = parse_status_signal_mask(proc_text(child.pid, "status"), "SigCgt");
  ASSERT_TRUE(caught.has_value());
  EXPECT_EQ(*caught & (uint64_t{1} << (SIGUSR2 - 1)), 0u) << "SigCgt " << std::hex << *caught;
  EXPECT_EQ(*caught & (uint64_t{1} << (SIGUSR1 - 1)), 0u) << "SigCgt " << std::hex << *caught;
  const auto fds_before = fd_targets(child.pid);
  const auto before = current_heap_figure(child.pid, counters);
  const auto started = std::chrono::steady_clock::now();
  const auto dump = request_preload_dump(child.pid, counters, std::chrono::seconds(10));
  ASSERT_TRUE(dump.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(nlohmann::json::parse(*dump).contains("heap_sites")) << *dump;
  EXPECT_EQ(current_heap_figure(child.pid, counters), before);
  const auto fds_after = fd_targets(child.pid);
  EXPECT_EQ(fds_after, fds_before);
  for (const auto& [fd, target] : fds_after) {
    EXPECT_EQ(target.find(counters), std::string::npos) << "fd " << fd << " -> " << target;
  }
  remove_counter_files(counters);
}

}  // namespace
}  // namespace leakgate
