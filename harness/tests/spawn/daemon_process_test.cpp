// DaemonProcess with real /bin/sh daemons: readiness from the captured stdout, stop by
// signal and after the stop timeout, exit by itself, the captured streams' tails.
#include "leakgate/daemon_process.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "judge/stop_verdict.h"
#include "../support/test_dir.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// The readiness line of docs/scenarios.md, printed by the shell with its own pid.
constexpr const char* kReady =
    R"sh(echo "{\"event\":\"ready\",\"endpoint\":\"unix:/tmp/d.sock\",\"pid\":$$}";)sh";

class DaemonProcessTest : public ::testing::Test {
 protected:
  DaemonLaunch shell(const std::string& script) const {
    DaemonLaunch launch;
    launch.argv = {"/bin/sh", "-c", script};
    launch.workdir = dir_.path() / "work";
    return launch;
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  const testing::TestDir dir_{"daemon-process"};  // removed when the test ends
};

// Polls until the daemon has exited by itself (at most 10 s).
std::optional<ExitStatus> wait_exit(DaemonProcess& daemon) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto status = daemon.poll_exit()) return status;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return std::nullopt;
}

TEST_F(DaemonProcessTest, ReadinessLineGivesEndpointAndPid) {
  DaemonProcess daemon(shell(std::string("echo starting; ") + kReady + " exec sleep 30"));
  const ReadyInfo ready = daemon.wait_ready_stdout(milliseconds(10000));
  EXPECT_EQ(ready.endpoint, "unix:/tmp/d.sock");
  EXPECT_EQ(ready.pid, daemon.pid());
  EXPECT_EQ(ready.reported_pid, daemon.pid());
  EXPECT_TRUE(daemon.running());
  // Its own process group, so a stop reaches its children.
  EXPECT_EQ(getpgid(daemon.pid()), daemon.pid());
}

TEST_F(DaemonProcessTest, ReadinessLineWrittenInPieces) {
  DaemonProcess daemon(
      shell(R"sh(printf '{"event":'; sleep 0.2; printf '"ready"}\n'; exec sleep 30)sh"));
  const ReadyInfo ready = daemon.wait_ready_stdout(milliseconds(10000));
  EXPECT_EQ(ready.endpoint, "");
  EXPECT_EQ(ready.reported_pid, -1);
}

TEST_F(DaemonProcessTest, OtherJsonLinesAreNotReadiness) {
  DaemonProcess daemon(
      shell(R"sh(echo '{"event":"starting"}'; echo '{"ready":true}'; exec sleep 30)sh"));
  EXPECT_THROW(
      {
        try {
          daemon.wait_ready_stdout(milliseconds(300));
        } catch (const DaemonError& e) {
          EXPECT_STREQ(e.what(), "daemon printed no readiness line within 300 ms");
          throw;
        }
      },
      DaemonError);
}

TEST_F(DaemonProcessTest, ExitBeforeReadyNamesTheExitCodeAndKeepsStderr) {
  DaemonProcess daemon(shell("echo 'cannot open database' >&2; exit 3"));
  try {
    daemon.wait_ready_stdout(milliseconds(10000));
    FAIL() << "no DaemonError";
  } catch (const DaemonError& e) {
    EXPECT_STREQ(e.what(), "daemon exited before it was ready (exit code 3)");
  }
  EXPECT_EQ(daemon.stderr_tail(), "cannot open database\n");
  ASSERT_TRUE(daemon.poll_exit());
  EXPECT_EQ(daemon.poll_exit()->code, 3);
}

TEST_F(DaemonProcessTest, StopWithSigtermDescribesTheSignal) {
  DaemonProcess daemon(shell(std::string(kReady) + " exec sleep 30"));
  daemon.wait_ready_stdout(milliseconds(10000));
  const ExitStatus status = daemon.stop(milliseconds(5000));
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_FALSE(status.code);
  EXPECT_FALSE(status.killed_after_timeout);
  EXPECT_EQ(status.describe(), "killed by SIGTERM");
  EXPECT_EQ(judge_stop(status, SIGTERM, {0}).description, "stopped by SIGTERM without a handler");
  // Idempotent: a second stop returns the same status and signals nothing.
  const ExitStatus again = daemon.stop(milliseconds(5000));
  EXPECT_EQ(again.signal, SIGTERM);
  EXPECT_FALSE(daemon.signal(SIGTERM));
}

TEST_F(DaemonProcessTest, StopSendsTheStopSignalAskedFor) {
  // A TERM would kill it by SIGTERM; only SIGINT runs the handler that exits 7. A shell that
  // starts with SIGINT ignored (a background job of a shell without job control) cannot trap
  // it, so the daemon inherits the default disposition from here.
  ::signal(SIGINT, SIG_DFL);
  DaemonProcess daemon(shell(std::string("trap 'echo bye; exit 7' INT; ") + kReady +
                             " while :; do sleep 0.05; done"));
  daemon.wait_ready_stdout(milliseconds(10000));
  const ExitStatus status = daemon.stop(milliseconds(5000), SIGINT);
  EXPECT_EQ(status.code, 7);
  EXPECT_FALSE(status.signal);
  EXPECT_FALSE(status.killed_after_timeout);
  EXPECT_EQ(status.describe(), "exit code 7");
  EXPECT_NE(daemon.stdout_tail().find("bye\n"), std::string::npos) << daemon.stdout_tail();
}

// leakgate under nohup, or as a background job of a shell without job control, has SIGINT
// and SIGHUP ignored; the daemon starts with the default actions anyway (as under systemd),
// so `stop_signal: INT` stops a daemon that relies on the default action, and blocked
// signals are not passed on either.
TEST_F(DaemonProcessTest, InheritedIgnoredAndBlockedSignalsAreReset) {
  auto* const previous = ::signal(SIGINT, SIG_IGN);
  sigset_t hup, old_mask;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &hup, &old_mask);
  DaemonProcess daemon(shell(std::string(kReady) + " exec sleep 30"));
  ::signal(SIGINT, previous);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  daemon.wait_ready_stdout(milliseconds(10000));
  const std::string status = read("/proc/" + std::to_string(daemon.pid()) + "/status");
  EXPECT_NE(status.find("SigIgn:\t0000000000000000"), std::string::npos) << status;
  EXPECT_NE(status.find("SigBlk:\t0000000000000000"), std::string::npos) << status;
  const ExitStatus stopped = daemon.stop(milliseconds(3000), SIGINT);
  EXPECT_EQ(stopped.signal, SIGINT) << stopped.describe();
  EXPECT_FALSE(stopped.killed_after_timeout);
}

TEST_F(DaemonProcessTest, DaemonIgnoringSigtermIsKilledAfterTheStopTimeout) {
  DaemonProcess daemon(
      shell(std::string("trap '' TERM; ") + kReady + " while :; do sleep 0.05; done"));
  daemon.wait_ready_stdout(milliseconds(10000));
  const auto start = std::chrono::steady_clock::now();
  const ExitStatus status = daemon.stop(milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(status.killed_after_timeout);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(5000));
  EXPECT_EQ(status.describe(), "killed by SIGKILL (did not stop in time; SIGKILL sent)");
  EXPECT_FALSE(judge_stop(status, SIGTERM, {0}).clean);
  EXPECT_FALSE(daemon.running());
}

TEST_F(DaemonProcessTest, PollExitAfterItExitsByItself) {
  DaemonProcess daemon(shell(std::string(kReady) + " sleep 0.2; echo done >&2; exit 5"));
  daemon.wait_ready_stdout(milliseconds(10000));
  EXPECT_FALSE(daemon.poll_exit());  // still in its sleep (200 ms)
  const auto status = wait_exit(daemon);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 5);
  EXPECT_FALSE(status->signal);
  EXPECT_FALSE(daemon.running());
  EXPECT_FALSE(daemon.signal(SIGHUP));  // gone: nothing is signalled
  const ExitStatus stopped = daemon.stop(milliseconds(1000));
  EXPECT_EQ(stopped.code, 5);
  EXPECT_FALSE(stopped.killed_after_timeout);
  EXPECT_EQ(daemon.stderr_tail(), "done\n");
}

TEST_F(DaemonProcessTest, SignalReachesTheDaemon) {
  DaemonProcess daemon(
      shell(std::string("trap 'echo got-usr1' USR1; ") + kReady + " while :; do sleep 0.05; done"));
  daemon.wait_ready_stdout(milliseconds(10000));
  ASSERT_TRUE(daemon.signal(SIGUSR1));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (daemon.stdout_tail().find("got-usr1") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_NE(daemon.stdout_tail().find("got-usr1\n"), std::string::npos) << daemon.stdout_tail();
  EXPECT_TRUE(daemon.running());
}

TEST_F(DaemonProcessTest, StderrTailIsTheLastBytes) {
  DaemonProcess daemon(
      shell("i=0; while [ $i -lt 500 ]; do echo 'noise noise noise' >&2; i=$((i+1)); done; "
            "echo 'fatal: the end' >&2; exit 1"));
  ASSERT_TRUE(wait_exit(daemon));
  EXPECT_EQ(daemon.stderr_tail(15), "fatal: the end\n");
  const std::string tail = daemon.stderr_tail();
  EXPECT_EQ(tail.size(), 4096u);
  EXPECT_EQ(tail.substr(tail.size() - 15), "fatal: the end\n");
  EXPECT_EQ(fs::file_size(daemon.stderr_path()), 500u * 18 + 15);
}

TEST_F(DaemonProcessTest, RunsInItsWorkDirectoryWithTheAddedEnvironment) {
  DaemonLaunch launch = shell(R"sh(echo "$GREETING in $(pwd)"; exit 0)sh");
  launch.env["GREETING"] = "hello";
  launch.log_prefix = "greeter";
  DaemonProcess daemon(launch);
  ASSERT_TRUE(wait_exit(daemon));
  EXPECT_EQ(daemon.stdout_path(), dir_.path() / "work" / "greeter.stdout");
  EXPECT_EQ(read(daemon.stdout_path()), "hello in " + (dir_.path() / "work").string() + "\n");
}

TEST_F(DaemonProcessTest, ABinaryThatCannotRunIsADaemonError) {
  DaemonLaunch missing = shell("");
  missing.argv = {"/nonexistent/leakgate-daemon"};
  try {
    DaemonProcess daemon(missing);
    FAIL() << "no DaemonError";
  } catch (const DaemonError& e) {
    EXPECT_STREQ(e.what(),
                 "cannot execute daemon '/nonexistent/leakgate-daemon': No such file or directory");
  }
  missing.argv = {"leakgate-no-such-daemon"};
  try {
    DaemonProcess daemon(missing);
    FAIL() << "no DaemonError";
  } catch (const DaemonError& e) {
    EXPECT_STREQ(e.what(), "daemon 'leakgate-no-such-daemon' not found on PATH");
  }
}

}  // namespace
}  // namespace leakgate
