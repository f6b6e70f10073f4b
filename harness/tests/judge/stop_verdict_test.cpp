// judge_stop: which ends of a requested stop are clean (systemd's SuccessExitStatus= rules).
#include <signal.h>

#include <gtest/gtest.h>

#include "judge/stop_verdict.h"

namespace leakgate {
namespace {

ExitStatus exited(int code) { return ExitStatus{code, std::nullopt, false}; }
ExitStatus killed(int signo) { return ExitStatus{std::nullopt, signo, false}; }

TEST(JudgeStop, DeathByTheStopSignalIsCleanButRanNoExitPath) {
  const StopVerdict verdict = judge_stop(killed(SIGTERM), SIGTERM, {0});
  EXPECT_TRUE(verdict.clean);
  EXPECT_FALSE(verdict.ran_exit_path);
  EXPECT_EQ(verdict.description, "stopped by SIGTERM without a handler");
}

TEST(JudgeStop, HupIntAndPipeDeathsAreCleanAsSystemdCountsThem) {
  for (int signo : {SIGHUP, SIGINT, SIGPIPE}) {
    EXPECT_TRUE(judge_stop(killed(signo), SIGTERM, {0}).clean) << signal_name(signo);
  }
  EXPECT_EQ(judge_stop(killed(SIGPIPE), SIGTERM, {0}).description,
            "killed by SIGPIPE after SIGTERM");
}

TEST(JudgeStop, CrashesOnTheWayOutAreNotClean) {
  for (int signo : {SIGSEGV, SIGABRT, SIGKILL, SIGBUS}) {
    const StopVerdict verdict = judge_stop(killed(signo), SIGTERM, {0});
    EXPECT_FALSE(verdict.clean) << signal_name(signo);
    EXPECT_EQ(verdict.description, "killed by " + signal_name(signo) + " after SIGTERM");
  }
}

TEST(JudgeStop, ExitCodesCountOnlyWhenListedAsClean) {
  const StopVerdict zero = judge_stop(exited(0), SIGINT, {0});
  EXPECT_TRUE(zero.clean);
  EXPECT_TRUE(zero.ran_exit_path);
  EXPECT_EQ(zero.description, "exit code 0 after SIGINT");

  EXPECT_FALSE(judge_stop(exited(143), SIGTERM, {0}).clean);
  EXPECT_EQ(judge_stop(exited(143), SIGTERM, {0}).description,
            "exit code 143 after SIGTERM (not a clean exit code)");
  EXPECT_TRUE(judge_stop(exited(143), SIGTERM, {0, 143}).clean);
  // An empty list makes even 0 unclean: the scenario said so.
  EXPECT_FALSE(judge_stop(exited(0), SIGTERM, {}).clean);
}

TEST(JudgeStop, AHungDaemonIsNeverClean) {
  ExitStatus status = killed(SIGKILL);
  status.killed_after_timeout = true;
  const StopVerdict verdict = judge_stop(status, SIGTERM, {0});
  EXPECT_FALSE(verdict.clean);
  EXPECT_FALSE(verdict.ran_exit_path);
  EXPECT_EQ(verdict.description,
            "did not stop within the stop timeout after SIGTERM; SIGKILL sent");
}

}  // namespace
}  // namespace leakgate
