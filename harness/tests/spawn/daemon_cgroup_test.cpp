// DaemonCgroup with real cgroups and real /bin/sh daemons started by DaemonProcess: the daemon
// is in it before exec, a double-forked sleeper that left its session and its environment is
// still in it and counted, memory is the tree's, and nothing (no process, no directory) is
// left. Skipped, with the reason, where the machine offers no usable cgroup (not root, or no
// memory and pids controllers); CI's machines run it (ci/known-skips).
#include "spawn/daemon_cgroup.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "../support/test_dir.h"
#include "leakgate/daemon_process.h"
#include "spawn/descendants.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
constexpr int64_t kMiB = 1024 * 1024;

// The cgroup, or the reason this machine has none (a skip only where it cannot have one).
std::unique_ptr<DaemonCgroup> make_cgroup(const std::string& name, std::string& why_not) {
  become_child_subreaper();  // as the harness: escaped orphans come to us to be reaped
  return DaemonCgroup::create(name, why_not);
}

#define CGROUP_OR_SKIP(var, name)                                                             \
  std::string why_not_##var;                                                                  \
  auto var = make_cgroup(name, why_not_##var);                                                \
  if (!var) {                                                                                 \
    if (geteuid() != 0) GTEST_SKIP() << "not root: " << why_not_##var;                        \
    if (why_not_##var.find("controller") != std::string::npos) GTEST_SKIP() << why_not_##var; \
    FAIL() << "root, with controllers, but no cgroup: " << why_not_##var;                     \
  }

class DaemonCgroupTest : public ::testing::Test {
 protected:
  DaemonLaunch shell(const std::string& script, const DaemonCgroup& cgroup) const {
    DaemonLaunch launch;
    launch.argv = {"/bin/sh", "-c", script};
    launch.workdir = dir_.path() / "work";
    launch.cgroup_procs_fds = cgroup.join_fds();
    return launch;
  }
  const testing::TestDir dir_{"daemon-cgroup"};
};

template <class Predicate>
bool eventually(Predicate&& predicate) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

bool alive(pid_t pid) {
  ::waitpid(pid, nullptr, WNOHANG);
  return ::kill(pid, 0) == 0;
}

TEST_F(DaemonCgroupTest, DaemonIsInItBeforeItRunsAndItsNameSaysWhose) {
  CGROUP_OR_SKIP(cgroup, "spawn.cgroup-join");
  for (const std::string& dir : cgroup->dirs()) {
    EXPECT_TRUE(fs::is_directory(dir)) << dir;
    EXPECT_NE(fs::path(dir).filename().string().find("leakgate-spawn.cgroup-join"),
              std::string::npos);
  }
  // The daemon reads its own /proc/self/cgroup as its first command: already inside.
  DaemonProcess daemon(
      shell("cat /proc/self/cgroup; echo '{\"event\":\"ready\"}'; exec sleep 30", *cgroup));
  daemon.wait_ready_stdout(milliseconds(10000));
  EXPECT_TRUE(cgroup->holds(daemon.pid()));
  EXPECT_NE(daemon.stdout_tail().find(fs::path(cgroup->dirs().front()).filename().string()),
            std::string::npos)
      << daemon.stdout_tail();
  EXPECT_FALSE(cgroup->holds(getpid()));  // the harness stays outside
  daemon.stop(milliseconds(2000));
}

TEST_F(DaemonCgroupTest, DoubleForkedSleeperIsCountedThenStoppedAndNothingIsLeft) {
  CGROUP_OR_SKIP(cgroup, "spawn.cgroup-double-fork");
  // The sleeper leaves the daemon's session and drops its environment (no run marker):
  // only the cgroup still knows it is the daemon's.
  DaemonProcess daemon(
      shell("(env -i setsid sleep 3172 </dev/null >/dev/null 2>&1 &); "
            "echo '{\"event\":\"ready\"}'; exec sleep 30",
            *cgroup));
  daemon.wait_ready_stdout(milliseconds(10000));
  pid_t sleeper = -1;
  ASSERT_TRUE(eventually([&] {  // once the sleeper has its own session
    sleeper = -1;
    for (pid_t pid : cgroup->pids())
      if (pid != daemon.pid() && getsid(pid) == pid) sleeper = pid;
    return sleeper > 0 && cgroup->pids().size() == 2;
  }));
  EXPECT_EQ(cgroup->read().tasks, 2);  // the daemon and the sleeper: pids.current
  daemon.stop(milliseconds(2000));
  // The daemon is gone; what it left is still in its cgroup, then stopped.
  EXPECT_FALSE(cgroup->holds(daemon.pid()));
  const auto left = cgroup->stop_all(SIGTERM, milliseconds(2000));
  EXPECT_EQ(left, std::vector<pid_t>{sleeper});
  EXPECT_FALSE(alive(sleeper));
  EXPECT_TRUE(cgroup->pids().empty());
  EXPECT_EQ(cgroup->read().tasks, 0);
  const auto dirs = cgroup->dirs();
  cgroup.reset();
  for (const std::string& dir : dirs) EXPECT_FALSE(fs::exists(dir)) << dir;
}

TEST_F(DaemonCgroupTest, DestructorKillsWhatIsLeftAndRemovesTheDirectories) {
  CGROUP_OR_SKIP(cgroup, "spawn.cgroup-destructor");
  pid_t sleeper = -1;
  {
    DaemonProcess daemon(
        shell("(setsid sleep 3174 &); echo '{\"event\":\"ready\"}'; exec sleep 30", *cgroup));
    daemon.wait_ready_stdout(milliseconds(10000));
    // Once the sleeper leads its own session: before, a second pid may be the subshell that
    // forks it and then exits (seen under load).
    ASSERT_TRUE(eventually([&] {
      sleeper = -1;
      for (pid_t pid : cgroup->pids())
        if (pid != daemon.pid() && getsid(pid) == pid) sleeper = pid;
      return sleeper > 0 && cgroup->pids().size() == 2;
    }));
  }  // the daemon's destructor kills its group: the sleeper is in another session
  ASSERT_TRUE(alive(sleeper));
  const auto dirs = cgroup->dirs();
  cgroup.reset();  // as on an error path: the Engine's unique_ptr goes
  EXPECT_FALSE(alive(sleeper));
  for (const std::string& dir : dirs) EXPECT_FALSE(fs::exists(dir)) << dir;
}

TEST_F(DaemonCgroupTest, MemoryIsTheWholeTreesWorkingSet) {
  CGROUP_OR_SKIP(cgroup, "spawn.cgroup-memory");
  DaemonProcess daemon(shell("echo '{\"event\":\"ready\"}'; exec sleep 30", *cgroup));
  daemon.wait_ready_stdout(milliseconds(10000));
  const int64_t before = cgroup->read().memory_bytes.value_or(-1);
  ASSERT_GE(before, 0);
  EXPECT_LT(before, 32 * kMiB);
  // A second process in it writes 64 MiB and keeps them: the figure is the cgroup's.
  DaemonProcess hog(
      shell("exec python3 -c \"b = bytearray(b'x') * (64 << 20); "
            "print('{\\\"event\\\":\\\"ready\\\"}', flush=True); "
            "import time; time.sleep(30)\"",
            *cgroup));
  hog.wait_ready_stdout(milliseconds(10000));
  EXPECT_TRUE(eventually([&] {
    return cgroup->read().memory_bytes.value_or(0) > before + 60 * kMiB;
  })) << cgroup->read().memory_bytes.value_or(-1);
  hog.stop(milliseconds(2000));
  daemon.stop(milliseconds(2000));
}

TEST_F(DaemonCgroupTest, StaleCgroupOfADeadRunIsRemovedALiveOnesIsNot) {
  CGROUP_OR_SKIP(cgroup, "spawn.cgroup-stale");
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  ::waitpid(dead, nullptr, 0);
  const fs::path parent = fs::path(cgroup->dirs().front()).parent_path();
  const fs::path stale = parent / ("leakgate-spawn.cgroup-stale-" + std::to_string(dead));
  ASSERT_TRUE(fs::create_directory(stale));
  EXPECT_EQ(remove_stale_cgroups(parent), 0);  // too young: maybe a run of another namespace
  EXPECT_TRUE(fs::exists(stale));
  EXPECT_GE(remove_stale_cgroups(parent, std::chrono::seconds(0)), 1);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(cgroup->dirs().front()));  // ours: its pid is alive
}

}  // namespace
}  // namespace leakgate
