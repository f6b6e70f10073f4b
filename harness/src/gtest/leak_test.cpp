#include "leakgate/leak_test.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "leakgate/leak_run.h"

namespace leakgate {
namespace {

// What the listener sums up when the program ends.
struct Judged {
  int tests = 0;
  int failed = 0;
  std::filesystem::path report_dir;
};
Judged& judged() {
  static Judged value;
  return value;
}

// $LEAKGATE_REPORT_DIR, as `leakgate run --report-dir`: the same index for both front-ends.
std::filesystem::path report_dir() {
  const char* dir = std::getenv("LEAKGATE_REPORT_DIR");
  return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path("leak-reports");
}

}  // namespace

// The test body takes the place of a scenario's steps: the scenario holds the daemon, the
// budgets and the settle and sampling settings, and the engine (leakgate/leak_run.h) runs the
// phases exactly as for `leakgate run`.
struct LeakTest::State {
  Scenario scenario;
  RunOptions options;
  std::unique_ptr<LeakRun> run;
  bool failed = false;
};

LeakTest::LeakTest() : state_(std::make_unique<State>()) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  // leak.gtest.<Suite>.<Test>: the name CTest gives it (gtest_discover_tests TEST_PREFIX).
  state_->scenario.name =
      "gtest." + (info ? std::string(info->test_suite_name()) + "." + info->name() : "test");
  state_->scenario.description = "GoogleTest leak test";
  state_->scenario.warmup = 0;
  state_->scenario.iterations = 0;
  state_->scenario.daemon.counters = DaemonSpec::Counters::kShm;
  state_->scenario.daemon.ready = DaemonSpec::Ready::kStdout;
  state_->options.report_dir = report_dir();
  state_->options.progress = RunOptions::Progress::kQuiet;
}

LeakTest::~LeakTest() = default;

void LeakTest::start_daemon(LeakTestDaemon spec) {
  State& s = *state_;
  ASSERT_FALSE(s.run) << "start_daemon called twice";
  DaemonSpec& daemon = s.scenario.daemon;
  daemon.command = std::move(spec.command);
  daemon.env = std::move(spec.env);
  daemon.counters = spec.counters;
  daemon.ready_timeout = spec.ready_timeout;
  daemon.stop_timeout = spec.stop_timeout;
  s.scenario.settle = spec.settle;
  s.scenario.sample_hz = spec.sample_hz;
  s.run = std::make_unique<LeakRun>(s.scenario, s.options);
  s.failed = !s.run->start() || !s.run->take_baseline();
  ASSERT_FALSE(s.failed) << s.run->failure();
}

void LeakTest::warmup_done() {
  State& s = *state_;
  if (!s.run || s.failed) return;
  s.failed = !s.run->take_baseline();
  EXPECT_FALSE(s.failed) << s.run->failure();
}

void LeakTest::iteration_done() {
  State& s = *state_;
  if (!s.run || s.failed) return;
  s.failed = !s.run->iteration_done();
  EXPECT_FALSE(s.failed) << s.run->failure();
}

const std::string& LeakTest::endpoint() const {
  static const std::string none;
  return state_->run ? state_->run->endpoint() : none;
}
pid_t LeakTest::daemon_pid() const { return state_->run ? state_->run->daemon_pid() : -1; }
const std::filesystem::path& LeakTest::workdir() const {
  static const std::filesystem::path none;
  return state_->run ? state_->run->workdir() : none;
}

void LeakTest::set_budget(const std::string& metric, Budget budget) {
  state_->scenario.budgets[metric] = budget;
}

void LeakTest::expect_violation(const std::string& metric_or_key) {
  state_->scenario.expect_violations.push_back(metric_or_key);
}

void LeakTest::TearDown() {
  State& s = *state_;
  if (!s.run) return;
  if (!s.failed) s.run->take_final();
  const RunOutcome outcome = s.run->finish();
  s.run.reset();
  // Figures go into the JUnit/XML output (RecordProperty takes strings or ints only).
  for (const auto& [name, value] : outcome.figures) {
    ::testing::Test::RecordProperty(name, std::to_string(value));
  }
  ::testing::Test::RecordProperty("leakgate.result", outcome.result_path.string());
  // The engine printed the verdict lines; the failure repeats them in GoogleTest's summary.
  EXPECT_EQ(outcome.exit_code, 0) << outcome.verdict_text;
  EXPECT_EQ(outcome.publish_error, "") << "the report was not written";
  judged().tests++;
  judged().failed += outcome.exit_code != 0 ? 1 : 0;
  judged().report_dir = s.options.report_dir;
}

namespace {

class ReportListener : public ::testing::EmptyTestEventListener {
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    const Judged& j = judged();
    if (j.tests == 0) return;
    std::cout << "leakgate: " << j.tests << " leak test(s) judged, " << j.failed
              << " failed; report: "
              << std::filesystem::absolute(j.report_dir / "index.html").string() << std::endl;
  }
};

}  // namespace

void install_budget_listener() {
  ::testing::UnitTest::GetInstance()->listeners().Append(new ReportListener);
}

}  // namespace leakgate
