// The harness under faults: every way a daemon can fail is a verdict (exit 1, what happened,
// where, the exit status and stderr), the report is still written, and nothing is left
// behind: no process of the test, no work directory.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include <gtest/gtest.h>

#include "leakgate/runner.h"
#include "leakgate/scenario_parser.h"
#include "../support/test_dir.h"
#include "../support/under_asan.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;

// Processes (other than us) whose command line mentions `marker`.
// A process's command line, or "" once it is gone: a process that exits while it is read
// fails the read with ESRCH (an std::ifstream then threw, and the scan leaked its DIR).
std::string cmdline_of(const std::string& pid) {
  const int fd = ::open(("/proc/" + pid + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return n < 0 ? std::string() : text;
}

int processes_mentioning(const std::string& marker) {
  int count = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return -1;
  while (dirent* entry = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0 || pid == getpid()) continue;
    if (cmdline_of(entry->d_name).find(marker) != std::string::npos) ++count;
  }
  closedir(proc);
  return count;
}

int workdirs_named(const std::string& name) {
  int count = 0;
  const char* tmp = std::getenv("TMPDIR");
  for (const auto& entry : fs::directory_iterator(tmp && *tmp ? tmp : "/tmp")) {
    if (entry.path().filename().string().rfind("leakgate-" + name + "-", 0) == 0) ++count;
  }
  return count;
}

class RunnerFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.report_dir = dir_.path() / "reports";
    options_.vars["TRACKERD"] = LEAKGATE_TEST_TRACKERD;
    options_.progress = RunOptions::Progress::kQuiet;
  }

  // Runs a scenario given as YAML text; returns the outcome and loads result.json.
  RunOutcome run(const std::string& yaml) {
    const std::string file = (dir_.path() / "scenario.yaml").string();
    std::ofstream(file) << yaml;
    Scenario scenario = parse_scenario_file(file, {"TRACKERD"});
    name_ = scenario.name;
    RunOutcome outcome = run_scenario(scenario, options_);
    std::ifstream in(outcome.result_path);
    result_ = nlohmann::json::parse(in, nullptr, false);
    return outcome;
  }

  void expect_nothing_left_behind() {
    EXPECT_EQ(processes_mentioning("leakgate-" + name_ + "-"), 0) << "orphan daemon processes";
    EXPECT_EQ(workdirs_named(name_), 0) << "work directory not removed";
  }

  static std::string tracker_daemon(const std::string& extra = "") {
    return "  command: [\"${TRACKERD}\", \"--socket\", \"${WORKDIR}/t.sock\", \"--db\", "
           "\"${WORKDIR}/t.db\", \"--sync-interval\", \"50ms\"" +
           extra + "]\n";
  }

  const testing::TestDir dir_{"faults-test"};  // removed when the test ends
  RunOptions options_;
  nlohmann::json result_;
  std::string name_;
};

TEST_F(RunnerFaults, MissingBinaryIsAVerdictNotACrash) {
  const RunOutcome outcome =
      run("name: fault-missing-binary\n"
          "daemon:\n  command: [/nonexistent/trackerd, --socket, \"${WORKDIR}/t.sock\"]\n"
          "iterations: 2\nsteps:\n  - client: {op: health}\n");
  EXPECT_EQ(outcome.exit_code, 1);
  ASSERT_TRUE(result_.is_object()) << "the report must be written";
  EXPECT_EQ(result_["verdict"], "error");
  EXPECT_EQ(result_["error"]["what"], "daemon failed to start");
  EXPECT_NE(outcome.verdict_text.find("/nonexistent/trackerd"), std::string::npos)
      << outcome.verdict_text;
  EXPECT_TRUE(fs::exists(options_.report_dir / "leak.fault-missing-binary" / "index.html"));
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, DaemonExitingBeforeReadyReportsItsExitCodeAndStderr) {
  const RunOutcome outcome = run(
      "name: fault-exit-before-ready\n"
      "daemon:\n" +
      tracker_daemon(", \"--no-such-flag\"") + "iterations: 2\nsteps:\n  - client: {op: health}\n");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["what"], "daemon not ready");
  EXPECT_EQ(result_["error"]["exit_code"], 2) << result_["error"].dump();
  EXPECT_NE(outcome.verdict_text.find("exit code 2"), std::string::npos) << outcome.verdict_text;
  EXPECT_NE(outcome.verdict_text.find("no-such-flag"), std::string::npos)
      << "the tail of the daemon's stderr belongs in the verdict: " << outcome.verdict_text;
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, DaemonThatNeverBecomesReadyIsKilledAfterTheTimeout) {
  const RunOutcome outcome =
      run("name: fault-never-ready\n"
          "daemon:\n  command: [python3, -c, \"import time; time.sleep(300)\", \"${WORKDIR}\"]\n"
          "  ready_timeout: 300ms\n"
          "iterations: 2\nsteps:\n  - client: {op: health}\n");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["what"], "daemon not ready");
  EXPECT_NE(outcome.verdict_text.find("300 ms"), std::string::npos) << outcome.verdict_text;
  expect_nothing_left_behind();
}

// HTTP readiness names what it polled and for how long, as tcp, log and notify do.
TEST_F(RunnerFaults, NeverReadyOverHttpNamesTheUrlAndTheTimeout) {
  const RunOutcome outcome =
      run("name: fault-http-never-ready\n"
          "daemon:\n  command: [python3, -c, \"import time; time.sleep(300)\", \"${WORKDIR}\"]\n"
          "  ready: {http: /health}\n  ready_timeout: 300ms\n  counters: none\n"
          "iterations: 2\nsteps:\n  - http: {method: GET, path: /, expect: 200}\n");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["what"], "daemon not ready");
  const std::string detail = result_["error"]["detail"].get<std::string>();
  EXPECT_NE(detail.find("ready {http: http://127.0.0.1:"), std::string::npos) << detail;
  EXPECT_NE(detail.find("/health}: no GET answered 2xx within 300ms"), std::string::npos) << detail;
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, CrashMidScenarioNamesStepIterationAndSignal) {
  const RunOutcome outcome =
      run("name: fault-crash\n"
          "daemon:\n" +
          tracker_daemon() +
          "warmup: 0\niterations: 3\nsteps:\n  - client: {op: health}\n  - signal: SEGV\n"
          "  - sleep: 200ms\n  - client: {op: health}\n");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["what"], "daemon crashed");
  EXPECT_EQ(result_["error"]["signal"], "SIGSEGV");
  EXPECT_EQ(result_["error"]["iteration"], 1);
  EXPECT_NE(outcome.verdict_text.find("client health"), std::string::npos) << outcome.verdict_text;
  EXPECT_NE(outcome.verdict_text.find("killed by SIGSEGV"), std::string::npos);
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, AbortMidScenarioIsReportedWithSIGABRT) {
  const RunOutcome outcome =
      run("name: fault-abort\n"
          "daemon:\n" +
          tracker_daemon() +
          "warmup: 0\niterations: 3\nsteps:\n  - client: {op: health}\n  - signal: ABRT\n"
          "  - sleep: 50ms\n");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["signal"], "SIGABRT") << result_.dump().substr(0, 400);
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, DaemonHangingOnShutdownIsKilledAfterTheGracePeriod) {
  const RunOutcome outcome =
      run("name: fault-hang-on-stop\n"
          "daemon:\n" +
          tracker_daemon() +
          "  stop_timeout: 300ms\n"
          "warmup: 0\niterations: 1\nsettle: {timeout: 200ms, window: 50ms}\n"
          "steps:\n  - client: {op: health}\n  - signal: STOP\n");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["what"], "daemon hung on shutdown");
  EXPECT_EQ(result_["daemon"]["exit"]["killed_after_timeout"], true);
  EXPECT_NE(outcome.verdict_text.find("SIGKILL"), std::string::npos) << outcome.verdict_text;
  expect_nothing_left_behind();
}

// A shell daemon that prints its readiness line and reacts to SIGTERM as `on_term` says.
std::string shell_daemon(const std::string& on_term) {
  return "  command: [sh, -c, \"" + on_term +
         " echo '{\\\"event\\\":\\\"ready\\\"}'; while :; do sleep 0.02; done\", "
         "\"${WORKDIR}\"]\n  counters: none\n";
}

// systemd's convention: dying of the stop signal is how most daemons stop (no handler).
TEST_F(RunnerFaults, DaemonDyingOfTheStopSignalStopsCleanly) {
  const RunOutcome outcome = run("name: stop-no-handler\ndaemon:\n" + shell_daemon("") +
                                 "warmup: 0\niterations: 2\nsteps:\n  - sleep: 1ms\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.verdict_text;
  EXPECT_EQ(result_["daemon"]["exit"]["signal"], "SIGTERM") << result_["daemon"].dump();
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, ExitCodeOnStopFailsUnlessDeclaredClean) {
  const std::string daemon = shell_daemon("trap 'exit 3' TERM;");
  const std::string rest = "warmup: 0\niterations: 2\nsteps:\n  - sleep: 1ms\n";
  RunOutcome outcome = run("name: stop-exit-3\ndaemon:\n" + daemon + rest);
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(result_["error"]["what"], "daemon failed on shutdown");
  EXPECT_NE(outcome.verdict_text.find("exit code 3 after SIGTERM (not a clean exit code)"),
            std::string::npos)
      << outcome.verdict_text;
  outcome =
      run("name: stop-exit-3-clean\ndaemon:\n" + daemon + "  clean_exit_codes: [0, 3]\n" + rest);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.verdict_text;
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, StopSignalIsTheOneTheScenarioNames) {
  // Exits 0 on INT, 4 on TERM: only stop_signal INT makes it a clean stop.
  const std::string daemon = shell_daemon("trap 'exit 0' INT; trap 'exit 4' TERM;");
  const RunOutcome outcome = run("name: stop-int\ndaemon:\n" + daemon + "  stop_signal: INT\n" +
                                 "warmup: 0\niterations: 2\nsteps:\n  - sleep: 1ms\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.verdict_text;
  EXPECT_EQ(result_["daemon"]["exit"]["code"], 0) << result_["daemon"].dump();
  expect_nothing_left_behind();
}

TEST_F(RunnerFaults, KeepLeavesTheWorkDirectoryAndSaysWhere) {
  options_.keep_workdir = true;
  run("name: fault-keep\n"
      "daemon:\n  command: [/nonexistent/daemon]\n"
      "iterations: 1\nsteps:\n  - sleep: 1ms\n");
  EXPECT_EQ(workdirs_named("fault-keep"), 1);
  const char* tmp = std::getenv("TMPDIR");
  for (const auto& entry : fs::directory_iterator(tmp && *tmp ? tmp : "/tmp")) {
    if (entry.path().filename().string().rfind("leakgate-fault-keep-", 0) == 0) {
      fs::remove_all(entry.path());
    }
  }
}

// The harness itself interrupted before its measured phase (in the warm-up): it stops the
// daemon's group, writes a partial report and exits non-zero.
TEST_F(RunnerFaults, InterruptedHarnessStopsTheDaemonAndWritesAPartialReport) {
  const std::string file = (dir_.path() / "long.yaml").string();
  std::ofstream(file) << "name: fault-interrupted\ndaemon:\n" + tracker_daemon() +
                             "warmup: 10000\niterations: 1\nsteps:\n  - sleep: 10ms\n";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string report_dir = (dir_.path() / "reports").string();
    const std::string var = std::string("TRACKERD=") + LEAKGATE_TEST_TRACKERD;
    execl(LEAKGATE_TEST_LEAKGATE, "leakgate", "run", file.c_str(), "--quiet", "--report-dir",
          report_dir.c_str(), "--var", var.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the daemon runs, then interrupt the harness.
  for (int i = 0; i < 500 && processes_mentioning("leakgate-fault-interrupted-") < 1; ++i) {
    usleep(10'000);
  }
  usleep(300'000);
  kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(dir_.path() / "reports" / "leak.fault-interrupted" / "result.json");
  auto result = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(result.is_object()) << "partial report missing";
  EXPECT_EQ(result["error"]["what"], "interrupted");
  name_ = "fault-interrupted";
  expect_nothing_left_behind();
}

// ASan's quarantine keeps freed blocks for a while, so under it the harness's RSS rises with
// what it allocates, not with what it leaks (docs/reliability.md): the soaks below, which
// must pass, leave client.rss unjudged there.
#if LEAKGATE_UNDER_ASAN
constexpr const char* kNoRssBudgetUnderAsan = "budgets:\n  client.rss: {per_iter: none}\n";
#else
constexpr const char* kNoRssBudgetUnderAsan = "";
#endif

// A soak ends its measured phase once its duration has passed, and is judged as usual; the
// full-resolution timeline file lands beside result.json.
TEST_F(RunnerFaults, ADurationRunsIterationsUntilTheTimeHasPassed) {
  const RunOutcome outcome =
      run("name: fault-soak-timed\ndaemon:\n" + tracker_daemon() +
          "warmup: 0\nduration: 1500ms\nsteps:\n  - sleep: 5ms\n" + kNoRssBudgetUnderAsan);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.verdict_text;
  const auto& iterations = result_["iterations"];
  EXPECT_GT(iterations["completed"].get<int>(), 10) << iterations.dump();
  EXPECT_EQ(iterations["measured"], iterations["completed"]);
  EXPECT_TRUE(iterations["cut_short"].is_null());
  double measured_s = 0;
  for (const auto& phase : result_["phases"])
    if (phase["name"] == "measured")
      measured_s = phase["end_s"].get<double>() - phase["start_s"].get<double>();
  EXPECT_GE(measured_s, 1.5);
  EXPECT_LT(measured_s, 10);
  EXPECT_TRUE(fs::exists(outcome.result_path.parent_path() /
                         result_["timeline"]["file"].get<std::string>()));
  expect_nothing_left_behind();
}

// SIGINT in a soak's measured phase ends it early: the final snapshot is still taken, the
// budgets are judged on what was measured, and the verdict says it was cut short. Exit 1:
// the run was not the one asked for.
TEST_F(RunnerFaults, SigintEndsASoakWithAVerdictOnWhatWasMeasured) {
  const std::string file = (dir_.path() / "soak.yaml").string();
  std::ofstream(file) << "name: fault-soak-cut\ndaemon:\n" + tracker_daemon() +
                             "warmup: 0\nduration: 10m\nsteps:\n  - sleep: 5ms\n"
                      << kNoRssBudgetUnderAsan;
  const std::string out = (dir_.path() / "stdout").string();
  const std::string err = (dir_.path() / "stderr").string();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string report_dir = (dir_.path() / "reports").string();
    const std::string var = std::string("TRACKERD=") + LEAKGATE_TEST_TRACKERD;
    (void)!freopen(out.c_str(), "w", stdout);
    (void)!freopen(err.c_str(), "w", stderr);
    execl(LEAKGATE_TEST_LEAKGATE, "leakgate", "run", file.c_str(), "--report-dir",
          report_dir.c_str(), "--var", var.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for the first soak progress line (the measured phase runs), then interrupt.
  const auto progress = [&] {
    std::ifstream in(err);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  for (int i = 0; i < 1000 && progress().find(": soak ") == std::string::npos; ++i) usleep(10'000);
  ASSERT_NE(progress().find(": soak "), std::string::npos) << progress();
  usleep(500'000);
  kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream stdout_in(out);
  const std::string verdict((std::istreambuf_iterator<char>(stdout_in)),
                            std::istreambuf_iterator<char>());
  EXPECT_EQ(verdict.rfind("PASS leak.fault-soak-cut", 0), 0u) << verdict;
  EXPECT_NE(verdict.find("cut short by SIGINT after "), std::string::npos) << verdict;
  std::ifstream in(dir_.path() / "reports" / "leak.fault-soak-cut" / "result.json");
  auto result = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(result.is_object()) << "no report";
  EXPECT_EQ(result["verdict"], "pass");
  EXPECT_TRUE(result["error"].is_null()) << result["error"].dump();
  const int completed = result["iterations"]["completed"].get<int>();
  EXPECT_GT(completed, 0);
  EXPECT_EQ(
      result["iterations"]["cut_short"].get<std::string>().rfind(
          "cut short by SIGINT after " + std::to_string(completed) + " measured iterations / ", 0),
      0u)
      << result["iterations"].dump();
  // Judged: the final snapshot was taken, checkpoints and peaks are there.
  EXPECT_FALSE(result["metrics"]["daemon.fds"]["final"].is_null());
  EXPECT_FALSE(result["metrics"]["daemon.fds"]["peak"].is_null());
  EXPECT_EQ(result["metrics"]["daemon.fds"]["checkpoints"].size(), static_cast<size_t>(completed));
  name_ = "fault-soak-cut";
  expect_nothing_left_behind();
}

}  // namespace
}  // namespace leakgate
