// DescendantTracker against real processes: /bin/sh "daemons" that start a helper in a new
// session (setsid) and double-fork a grandchild, then exit. This test process is the child
// subreaper, as the harness is, so the orphans are reparented to it.
#include "spawn/descendants.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace leakgate {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr auto kPatience = std::chrono::seconds(10);  // generous: 2 CPUs shared

// The helpers: one in a new session, one double-forked (its parent subshell exits at once).
constexpr const char* kLeakyScript =
    "setsid sleep 300 </dev/null >/dev/null 2>&1 & "
    "(sleep 301 </dev/null >/dev/null 2>&1 &); ";

// A /bin/sh root run with exactly `env` as its environment, in its own process group (as
// DaemonProcess does), stdin and stdout on pipes. With `wait_for_stdin` its script ends by
// printing "ready" and then waits for stdin to close before it exits.
class ShellRoot {
 public:
  ShellRoot(const std::string& script, const std::vector<std::string>& env, bool wait_for_stdin) {
    const std::string body = script + (wait_for_stdin ? "echo ready; read line; exit 0" : "");
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    std::vector<char*> argv = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                               const_cast<char*>(body.c_str()), nullptr};
    std::vector<char*> envp;
    for (const auto& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      dup2(in[0], 0);
      dup2(out[1], 1);
      execve("/bin/sh", argv.data(), envp.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~ShellRoot() {
    close_stdin();
    if (stdout_ >= 0) close(stdout_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ShellRoot(const ShellRoot&) = delete;
  ShellRoot& operator=(const ShellRoot&) = delete;

  pid_t pid() const { return pid_; }

  bool wait_ready() {
    std::string seen;
    const auto deadline = Clock::now() + kPatience;
    while (seen.find("ready\n") == std::string::npos && Clock::now() < deadline) {
      pollfd fd{stdout_, POLLIN, 0};
      if (poll(&fd, 1, 100) <= 0) continue;
      char buf[64];
      const ssize_t n = read(stdout_, buf, sizeof buf);
      if (n <= 0) return false;
      seen.append(buf, static_cast<size_t>(n));
    }
    return seen.find("ready\n") != std::string::npos;
  }

  // Closes its stdin (its `read` ends) and reaps it; its exit code.
  int exit_and_reap() {
    close_stdin();
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  void close_stdin() {
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  bool reaped_ = false;
};

bool gone(pid_t pid) {
  if (kill(pid, 0) == -1 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::cerr << "still there: " << line << "\n";
  return false;
}

std::vector<std::string> command_lines(const std::vector<Descendant>& found) {
  std::vector<std::string> lines;
  for (const auto& d : found) lines.push_back(d.command_line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// alive_after_root() until it names `expected` (a helper reads as its parent's command line
// until it has called exec), or the patience ends.
std::vector<Descendant> alive_naming(DescendantTracker& tracker,
                                     const std::vector<std::string>& expected) {
  std::vector<Descendant> found;
  const auto deadline = Clock::now() + kPatience;
  do {
    found = tracker.alive_after_root();
    if (command_lines(found) == expected) break;
    std::this_thread::sleep_for(milliseconds(20));
  } while (Clock::now() < deadline);
  return found;
}

// scan() until it counts `expected`, or the patience ends: a process in the middle of an exec
// reads with an empty environ and is only counted by a later scan.
int64_t scan_until(DescendantTracker& tracker, int64_t expected) {
  int64_t count = tracker.scan();
  for (const auto deadline = Clock::now() + kPatience; count != expected && Clock::now() < deadline;
       count = tracker.scan()) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  return count;
}

// Whatever carries this test's marker dies at the end, whether the tracker works or not (read
// here, independently of the code under test). Our children among them are reaped.
void kill_marked(const std::pair<std::string, std::string>& marker) {
  const std::string entry = marker.first + "=" + marker.second;
  for (const auto& dir : std::filesystem::directory_iterator("/proc")) {
    const std::string name = dir.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(dir.path() / "environ", std::ios::binary);
    const std::string environ((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (environ.find(entry) == std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);  // ECHILD unless it was reparented to us
  }
}

class DescendantsTest : public ::testing::Test {
 protected:
  DescendantsTest() { become_child_subreaper(); }
  ~DescendantsTest() override { kill_marked(tracker_.marker_env()); }

  std::vector<std::string> env() const {
    return {"PATH=/usr/bin:/bin", tracker_.marker_env().first + "=" + tracker_.marker_env().second};
  }

  DescendantTracker tracker_;
};

TEST_F(DescendantsTest, FindsASetsidHelperAndADoubleForkedGrandchildAndStopsThem) {
  ShellRoot root(kLeakyScript, env(), true);
  ASSERT_GT(root.pid(), 0);
  tracker_.set_root(root.pid());
  ASSERT_TRUE(root.wait_ready());
  // The setsid helper is still the root's child; the grandchild was reparented to us.
  EXPECT_EQ(scan_until(tracker_, 2), 2);
  EXPECT_EQ(tracker_.adopted_count(), 1);

  ASSERT_EQ(root.exit_and_reap(), 0);
  const std::vector<std::string> expected = {"sleep 300", "sleep 301"};
  const auto alive = alive_naming(tracker_, expected);
  ASSERT_EQ(command_lines(alive), expected);
  EXPECT_EQ(scan_until(tracker_, 2), 2);
  EXPECT_EQ(tracker_.adopted_count(), 2);  // both ours now

  const auto stopped = tracker_.stop_all(milliseconds(2000));
  EXPECT_EQ(command_lines(stopped), expected);
  for (const auto& d : alive) EXPECT_TRUE(gone(d.pid)) << d.pid << " " << d.command_line;
  EXPECT_TRUE(tracker_.alive_after_root().empty());
  EXPECT_EQ(tracker_.scan(), 0);
}

TEST_F(DescendantsTest, RecognisesOrphansItNeverSawInTheTreeByTheMarker) {
  ShellRoot root(kLeakyScript, env(), false);  // exits at once: no scan sees its tree
  ASSERT_GT(root.pid(), 0);
  tracker_.set_root(root.pid());
  ASSERT_EQ(root.exit_and_reap(), 0);
  // Both are our children now, found through their environ by the cheap scan.
  EXPECT_EQ(scan_until(tracker_, 2), 2);
  const std::vector<std::string> expected = {"sleep 300", "sleep 301"};
  const auto alive = alive_naming(tracker_, expected);
  ASSERT_EQ(command_lines(alive), expected);
  EXPECT_EQ(command_lines(tracker_.stop_all(milliseconds(2000))), expected);
  for (const auto& d : alive) EXPECT_TRUE(gone(d.pid)) << d.pid << " " << d.command_line;
}

TEST_F(DescendantsTest, ARootWhoseChildExitedFirstLeavesNothing) {
  ShellRoot root("sleep 0.05; ", env(), true);
  ASSERT_GT(root.pid(), 0);
  tracker_.set_root(root.pid());
  ASSERT_TRUE(root.wait_ready());
  EXPECT_EQ(tracker_.scan(), 0);
  ASSERT_EQ(root.exit_and_reap(), 0);
  EXPECT_TRUE(tracker_.alive_after_root().empty());
  EXPECT_TRUE(tracker_.stop_all(milliseconds(500)).empty());
}

// A parent that never waits: its exited children stay zombies in its children list. They count
// (daemon.children), are named as zombies, and are never tracked as escaped or signalled.
TEST_F(DescendantsTest, CountsZombiesTheRootNeverReapedAndNamesThem) {
  // After exec, sleep is the parent of the shell's two background children and never waits.
  ShellRoot root("sleep 0 & sleep 0 & exec sleep 30", env(), false);
  ASSERT_GT(root.pid(), 0);
  tracker_.set_root(root.pid());
  // The children count from their fork on; they are zombies once they exited.
  const auto zombies = [](const std::vector<TreeMember>& members) {
    return std::count_if(members.begin(), members.end(),
                         [](const TreeMember& member) { return member.zombie; });
  };
  for (const auto deadline = Clock::now() + kPatience;
       zombies(tracker_.members()) < 2 && Clock::now() < deadline;) {
    tracker_.scan();
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(tracker_.scan(), 2);  // daemon.children
  const auto members = tracker_.members();
  ASSERT_EQ(members.size(), 2u);
  for (const TreeMember& member : members) {
    EXPECT_TRUE(member.zombie) << member.pid;
    EXPECT_EQ(member.parent, root.pid());
    EXPECT_EQ(member.name, "sleep");
  }
  EXPECT_TRUE(tracker_.alive_after_root().empty());  // nothing alive to stop
}

TEST_F(DescendantsTest, AHelperThatIgnoresSigtermIsKilledWithItsChildren) {
  ShellRoot root(
      "setsid sh -c 'trap \"\" TERM; sleep 302; true' </dev/null >/dev/null 2>&1 & "
      "while [ -z \"$(cat /proc/$!/task/*/children)\" ]; do sleep 0.01; done; ",
      env(), true);
  ASSERT_GT(root.pid(), 0);
  tracker_.set_root(root.pid());
  ASSERT_TRUE(root.wait_ready());
  EXPECT_EQ(scan_until(tracker_, 2), 2);  // the helper and its sleep (which ignores SIGTERM too)
  ASSERT_EQ(root.exit_and_reap(), 0);
  const auto alive = tracker_.alive_after_root();
  ASSERT_FALSE(alive.empty());
  const auto stopped = tracker_.stop_all(milliseconds(200));
  EXPECT_GE(stopped.size(), 1U);
  for (const auto& d : stopped) EXPECT_TRUE(gone(d.pid)) << d.pid << " " << d.command_line;
  EXPECT_EQ(tracker_.scan(), 0);
}

// The harness waits for its exec steps itself: the tracker must not reap a zombie child it
// did not find in the daemon's tree, nor count a live child without the marker.
TEST_F(DescendantsTest, LeavesTheHarnessesOwnChildrenAlone) {
  ShellRoot root("", env(), true);
  ASSERT_GT(root.pid(), 0);
  tracker_.set_root(root.pid());
  ASSERT_TRUE(root.wait_ready());
  const pid_t exited = fork();
  if (exited == 0) _exit(7);
  const pid_t running = fork();
  if (running == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(exited, 0);
  ASSERT_GT(running, 0);
  // Until `exited` is a zombie.
  const auto deadline = Clock::now() + kPatience;
  siginfo_t info{};
  while (waitid(P_PID, exited, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0 &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(tracker_.scan(), 0);
  EXPECT_EQ(tracker_.adopted_count(), 0);
  int status = 0;
  EXPECT_EQ(waitpid(exited, &status, 0), exited);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7);
  kill(running, SIGKILL);
  EXPECT_EQ(waitpid(running, &status, 0), running);
  EXPECT_EQ(root.exit_and_reap(), 0);
}

}  // namespace
}  // namespace leakgate
