// libleakgate_preload.so in a forked worker (devnull_daemon --worker: a master and a worker
// that does not exec): the worker publishes its own counter file and answers a dump on its own
// channel, named by its pid beside the daemon's (dump_channel_layout.h), with the sites of the
// fds it opened; and a child that execs another program serves no channel.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "leakgate/counter_file.h"
#include "leakgate/daemon_process.h"
#include "preload/dump_channel_layout.h"
#include "preloaded_process.h"
#include "spawn/live_objects_request.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;
using testing::PreloadedProcess;

pid_t only_child_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = -1;
  in >> child;
  return child;
}

void request(const std::string& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const std::string text = "GET /log HTTP/1.0\r\n\r\n";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  char answer[64];
  EXPECT_GT(::read(fd, answer, sizeof(answer)), 0);
  ::close(fd);
}

// Live fds whose innermost frame outside the preload library is in `function`.
int64_t fds_made_at(const std::string& text, const std::string& function) {
  const auto dump = nlohmann::json::parse(text);
  int64_t count = 0;
  for (const auto& kind : dump["kinds"]) {
    if (kind.value("kind", "") != "fds") continue;
    for (const auto& group : kind["groups"]) {
      for (const auto& frame : group["frames"]) {
        const std::string name = frame.get<std::string>();
        if (name.find("libleakgate_preload") != std::string::npos) continue;
        if (name.rfind(function + " ", 0) == 0) count += group["count"].get<int64_t>();
        break;
      }
    }
  }
  return count;
}

// A channel file for `pid` that nobody serves (as a worker that stopped answering leaves).
void write_unserved_channel(const std::string& counters, pid_t pid) {
  const std::string path =
      dump_channel::path_for(dump_channel::worker_counters_path(counters, pid));
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, sizeof(dump_channel::Layout)), 0);
  void* base =
      ::mmap(nullptr, sizeof(dump_channel::Layout), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  ASSERT_NE(base, MAP_FAILED);
  auto* layout = new (base) dump_channel::Layout{};
  layout->pid.store(pid);
  std::memcpy(layout->magic, dump_channel::kMagic, sizeof dump_channel::kMagic);
  ::munmap(base, sizeof(dump_channel::Layout));
}

class PreloadWorkers : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("preload_workers." + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PreloadWorkers, AForkedWorkerAnswersOnItsOwnChannelWithItsOwnSites) {
  const std::string socket_path = (dir_ / "s").string();
  PreloadedProcess master({LEAKGATE_TEST_DEVNULL_DAEMON, socket_path, "--worker"}, dir_);
  ASSERT_GT(master.pid(), 0);
  ASSERT_NE(master.first_line().find("\"ready\""), std::string::npos);
  const pid_t worker = only_child_of(master.pid());
  ASSERT_GT(worker, 0);
  for (int i = 0; i < 3; ++i) request(socket_path);

  const std::string own = dump_channel::worker_counters_path(master.counters(), worker);
  auto reader = CounterFileReader::open(own);
  ASSERT_TRUE(reader.has_value()) << own;
  EXPECT_EQ(reader->read().pid, worker);

  const auto dump = request_preload_dump(worker, own, std::chrono::seconds(10));
  ASSERT_TRUE(dump.has_value());
  EXPECT_EQ(fds_made_at(*dump, "open_request_log"), 3) << *dump;
  // The listening socket was made by the master and inherited: its site is kept.
  EXPECT_GE(fds_made_at(*dump, "main"), 1) << *dump;
  const auto daemons =
      request_preload_dump(master.pid(), master.counters(), std::chrono::seconds(10));
  ASSERT_TRUE(daemons.has_value());
  EXPECT_EQ(fds_made_at(*daemons, "open_request_log"), 0) << *daemons;
}

TEST_F(PreloadWorkers, AChildThatExecsServesNoChannel) {
  PreloadedProcess shell({"/bin/sh", "-c", "sleep 5 & echo $!; wait"}, dir_);
  ASSERT_GT(shell.pid(), 0);
  const std::string line = shell.first_line();
  ASSERT_FALSE(line.empty());
  const pid_t sleeper = std::stoi(line);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // sleep's image has loaded
  const std::string own = dump_channel::worker_counters_path(shell.counters(), sleeper);
  EXPECT_FALSE(fs::exists(dump_channel::path_for(own)));
  EXPECT_FALSE(request_preload_dump(sleeper, own, std::chrono::seconds(1)).has_value());
  ::kill(sleeper, SIGTERM);
}

TEST_F(PreloadWorkers, AWorkerThatNeverAnswersIsAWarningAndAGoneOneIsSkipped) {
  DaemonLaunch launch;
  launch.argv = {"/bin/sh", "-c", "sleep 30 & echo $! > worker.pid; wait"};
  launch.workdir = dir_ / "work";
  DaemonProcess daemon(launch);
  pid_t silent = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (silent <= 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(launch.workdir / "worker.pid");
    in >> silent;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GT(silent, 0);
  const pid_t gone = ::fork();
  if (gone == 0) _exit(0);
  ASSERT_GT(gone, 0);
  ::waitpid(gone, nullptr, 0);
  const std::string counters = (dir_ / "counters").string();
  write_unserved_channel(counters, silent);
  write_unserved_channel(counters, gone);

  const auto started = std::chrono::steady_clock::now();
  const TreeLiveObjects result = request_tree_live_objects(
      daemon, counters, {{gone, "gone"}, {silent, "sleep 30"}}, std::chrono::milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("worker " + std::to_string(silent) + " (sleep 30)"),
            std::string::npos)
      << result.warnings[0];
  EXPECT_TRUE(result.dump.is_null());
  ::kill(silent, SIGKILL);
}

// A daemon's thread inside on_create (it holds the registry's lock while it records the
// creation stack) while another thread forks: the registry is locked across the fork, so no
// child inherits it locked and hangs at its first open.
TEST_F(PreloadWorkers, ForksBesideAnOpeningThreadNeverLeaveTheChildLocked) {
  PreloadedProcess storm({LEAKGATE_TEST_FORK_STORM, "200"}, dir_);
  ASSERT_GT(storm.pid(), 0);
  int status = -1;
  ASSERT_EQ(storm.wait(std::chrono::seconds(60), status), true) << "fork_storm itself hung";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "children hung after a fork (status " << status << ")";
}

}  // namespace
}  // namespace leakgate
