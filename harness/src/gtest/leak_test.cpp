#include "leakgate/leak_test.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "leakgate/leak_run.h"
#include "leakgate/scenario_parser.h"
#include "leakgate/variables.h"

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

// The TEST_F's own file and line: where GoogleTest shows a LeakTest's failures.
struct TestSite {
  std::string file = "unknown";
  int line = 0;
};
TestSite test_site() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (!info || !info->file()) return {};
  return {info->file(), info->line()};
}

// Every template of the daemon's description with the caller's variables filled in.
void bind_daemon_variables(DaemonSpec& daemon, const Variables& values) {
  for (std::string& word : daemon.command) word = bind_variables(word, values);
  for (std::string& word : daemon.wrapper) word = bind_variables(word, values);
  for (auto& [name, value] : daemon.env) value = bind_variables(value, values);
  for (DaemonFile& file : daemon.files) file.content = bind_variables(file.content, values);
  if (daemon.endpoint) daemon.endpoint = bind_variables(*daemon.endpoint, values);
  daemon.ready_tcp = bind_variables(daemon.ready_tcp, values);
}

// A non-fatal failure at the TEST_F (the body goes on; the run has stopped measuring).
void fail_at_test(const std::string& message) {
  const TestSite site = test_site();
  ADD_FAILURE_AT(site.file.c_str(), site.line) << message;
}

}  // namespace

DaemonSpec daemon_from_yaml(std::string_view yaml, const std::map<std::string, std::string>& variables,
                            CallerLine where) {
  const std::string origin = std::filesystem::path(where.file).filename().string() + ":" +
                             std::to_string(where.line) + " daemon YAML";
  std::set<std::string> names;
  for (const auto& [name, value] : variables) names.insert(name);
  DaemonSpec daemon = parse_daemon_text(yaml, origin, names);
  bind_daemon_variables(daemon, variables);
  return daemon;
}

// The test body takes the place of a scenario's steps: the scenario holds the daemon, the
// budgets and the settle and sampling settings, and the engine (leakgate/leak_run.h) runs the
// phases exactly as for `leakgate run`.
struct LeakTest::State {
  Scenario scenario;
  RunOptions options;
  std::unique_ptr<LeakRun> run;
  bool failed = false;

  // A phase the test body asks for (a new baseline, a checkpoint); once the run stops, the
  // test fails once, at its TEST_F, and later phases are skipped.
  void advance(bool (LeakRun::*phase)(), const char* stopped_at) {
    if (!run || failed) return;
    failed = !(run.get()->*phase)();
    if (failed)
      fail_at_test("leak." + scenario.name + ": the run stopped at " + stopped_at +
                   "; the verdict below says why");
  }
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

void LeakTest::SetUp() {
  std::optional<DaemonSpec> daemon;
  try {
    daemon = daemon_spec();
  } catch (const std::exception& error) {
    const TestSite site = test_site();
    GTEST_FAIL_AT(site.file.c_str(), site.line)
        << "the daemon's description is invalid: " << error.what();
  }
  if (daemon) start(std::move(*daemon));
}

void LeakTest::start_daemon(DaemonSpec daemon) {
  if (state_->run) {
    const TestSite site = test_site();
    GTEST_FAIL_AT(site.file.c_str(), site.line) << "the daemon was started twice";
  }
  start(std::move(daemon));
}

// A failure to start is fatal (in SetUp: the body does not run). Its reason is in the verdict
// TearDown prints, so the failure line only says what happened and where the verdict is.
void LeakTest::start(DaemonSpec daemon) {
  State& s = *state_;
  s.scenario.daemon = std::move(daemon);
  s.run = std::make_unique<LeakRun>(s.scenario, s.options);
  std::string harness_error;
  try {
    s.failed = !s.run->start() || !s.run->take_baseline();
  } catch (const std::exception& error) {  // a harness problem, e.g. no work directory
    s.failed = true;
    harness_error = std::string(": ") + error.what();
  }
  if (s.failed) {
    const TestSite site = test_site();
    GTEST_FAIL_AT(site.file.c_str(), site.line)
        << "leak." << s.scenario.name << ": the daemon did not start"
        << (harness_error.empty() ? "; the verdict below says why" : harness_error);
  }
}

void LeakTest::set_settle(SettleSpec settle) { state_->scenario.settle = settle; }
void LeakTest::set_sample_hz(double hz) { state_->scenario.sample_hz = hz; }
void LeakTest::set_variable(const std::string& name, const std::string& value) {
  state_->options.vars[name] = value;
}

void LeakTest::warmup_done() { state_->advance(&LeakRun::take_baseline, "the new baseline"); }
void LeakTest::iteration_done() { state_->advance(&LeakRun::iteration_done, "a checkpoint"); }

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
  // The engine printed the verdict; the failure says where it is, at the user's TEST_F.
  // A run that stopped has said so at the TEST_F already.
  if (outcome.exit_code != 0 && !s.failed)
    fail_at_test("leak." + s.scenario.name + " failed (verdict above; page " +
                 (outcome.result_path.parent_path() / "index.html").string() + ")");
  if (!outcome.publish_error.empty())
    fail_at_test("leak." + s.scenario.name + ": the report was not written: " +
                 outcome.publish_error);
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
