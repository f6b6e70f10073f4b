#include "leakgate/leak_test.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "judge/attribution.h"
#include "judge/judgement.h"
#include "leakgate/daemon_process.h"
#include "leakgate/registry.h"
#include "leakgate/variables.h"
#include "leakgate/verdict.h"
#include "sample/sampler.h"
#include "spawn/live_objects_request.h"

namespace leakgate {
namespace {

// What TearDown leaves for the listener to judge in OnTestEnd.
struct PendingJudgement {
  Scenario scenario;
  RunRecord record;
};
std::optional<PendingJudgement>& pending() {
  static std::optional<PendingJudgement> value;
  return value;
}

bool is_settle_figure(const std::string& metric) {
  return metric.find(".rss") == std::string::npos && metric.find(".heap") == std::string::npos &&
         metric.find(".pss") == std::string::npos;
}

// Polls until the integer figures stop changing for the window (or the timeout).
bool settle(Sampler& sampler, const SettleSpec& spec) {
  const auto start = std::chrono::steady_clock::now();
  Frame last = sampler.sample_now(false);
  auto stable_since = start;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    Frame now = sampler.sample_now(false);
    const auto t = std::chrono::steady_clock::now();
    bool same = true;
    for (const auto& [metric, value] : now) {
      auto it = last.find(metric);
      if (is_settle_figure(metric) && it != last.end() && it->second != value) same = false;
    }
    if (!same) {
      stable_since = t;
      last = std::move(now);
    }
    if (t - stable_since >= spec.window) return true;
    if (t - start >= spec.timeout) return false;
  }
}

}  // namespace

struct LeakTest::State {
  Scenario scenario;
  std::filesystem::path workdir;
  std::unique_ptr<Sampler> sampler;
  std::unique_ptr<DaemonProcess> daemon;
  std::string endpoint;
  std::string counters;
  RunRecord record;
  Millis stop_timeout{2000};
};

LeakTest::LeakTest() : state_(std::make_unique<State>()) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  state_->scenario.name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  state_->record.test = "gtest." + state_->scenario.name;
}

LeakTest::~LeakTest() {
  if (!state_->workdir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(state_->workdir, ec);
  }
}

// Settles, then takes the baseline the measured iterations are judged against.
void LeakTest::take_baseline() {
  State& s = *state_;
  s.record.begin_phase("settle", s.sampler->seconds_since_start());
  settle(*s.sampler, s.scenario.settle);
  s.record.baseline = s.sampler->sample_now(true);
  ProcessProbe probe(s.daemon->pid());
  s.record.baseline_fds = probe.list_fds().value_or(std::vector<FdInfo>{});
  s.record.begin_phase("measured", s.sampler->seconds_since_start());
}

void LeakTest::start_daemon(LeakTestDaemon spec) {
  State& s = *state_;
  ASSERT_FALSE(s.daemon) << "start_daemon called twice";
  std::string pattern = "/tmp/leakgate-gtest-XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  s.workdir = pattern;
  s.counters = (s.workdir / "counters").string();
  s.stop_timeout = spec.stop_timeout;
  s.scenario.settle = spec.settle;
  s.scenario.sample_hz = spec.sample_hz;
  Registry::global().set_capture_stacks(true);

  Variables vars{{"WORKDIR", s.workdir.string()}, {"PORT", "0"}};
  DaemonLaunch launch;
  for (const auto& arg : spec.command) launch.argv.push_back(expand_variables(arg, vars));
  for (const auto& [key, value] : spec.env) launch.env[key] = expand_variables(value, vars);
  launch.env["LEAKGATE_COUNTERS"] = s.counters;
  launch.env["LEAKGATE_STACKS"] = "1";
  launch.workdir = s.workdir;
  s.record.daemon_command = launch.argv;

  s.sampler = std::make_unique<Sampler>(spec.sample_hz, std::chrono::steady_clock::now());
  s.daemon = std::make_unique<DaemonProcess>(std::move(launch));
  s.endpoint = s.daemon->wait_ready_stdout(spec.ready_timeout).endpoint;
  CounterSource counters;
  counters.kind = CounterSource::Kind::kShm;
  counters.counter_path = s.counters;
  s.sampler->attach_daemon(s.daemon->pid(), counters);
  s.sampler->start();
  take_baseline();
}

void LeakTest::warmup_done() {
  State& s = *state_;
  if (!s.sampler) return;
  // What ran since start_daemon was warm-up: not judged, like a scenario's `warmup`.
  if (!s.record.phases.empty() && s.record.phases.back().name == "measured") {
    s.record.phases.back().name = "warmup";
  }
  s.record.checkpoint_rows.clear();
  s.record.iteration_ticks_s.clear();
  s.record.completed_iterations = 0;
  take_baseline();
}

const std::string& LeakTest::endpoint() const { return state_->endpoint; }
pid_t LeakTest::daemon_pid() const { return state_->daemon ? state_->daemon->pid() : -1; }
const std::filesystem::path& LeakTest::workdir() const { return state_->workdir; }

void LeakTest::set_budget(const std::string& metric, Budget budget) {
  state_->scenario.budgets[metric] = budget;
}

void LeakTest::expect_violation(const std::string& metric_or_key) {
  state_->scenario.expect_violations.push_back(metric_or_key);
}

void LeakTest::iteration_done() {
  State& s = *state_;
  if (!s.sampler) return;
  size_t row = 0;
  s.sampler->sample_now(true, &row);
  s.record.checkpoint_rows.push_back(row);
  s.record.iteration_ticks_s.push_back(s.sampler->seconds_since_start());
  s.record.completed_iterations++;
}

void LeakTest::TearDown() {
  State& s = *state_;
  if (!s.daemon) return;
  s.record.begin_phase("settle", s.sampler->seconds_since_start());
  settle(*s.sampler, s.scenario.settle);
  s.record.final = s.sampler->sample_now(true);
  if (s.daemon->running()) {
    ProcessProbe probe(s.daemon->pid());
    s.record.final_fds = probe.list_fds().value_or(std::vector<FdInfo>{});
  }
  s.record.daemon_live_objects = request_daemon_live_objects(*s.daemon, s.counters);
  s.record.client_live_objects =
      nlohmann::json::parse(Registry::global().live_objects_json(), nullptr, false);
  s.record.begin_phase("shutdown", s.sampler->seconds_since_start());
  const ExitStatus status = s.daemon->stop(s.stop_timeout);
  s.record.daemon_exit = status;
  s.record.daemon_at_exit = s.sampler->read_counters();
  for (const auto& kind : Registry::global().snapshot()) {
    s.record.client_at_exit["client." + kind.name] = static_cast<double>(kind.live);
  }
  s.sampler->stop();
  s.record.timeline = s.sampler->timeline();
  s.record.end_phase(s.sampler->seconds_since_start());
  EXPECT_FALSE(status.killed_after_timeout) << "daemon hung on shutdown: " << status.describe();
  EXPECT_TRUE(status.code && *status.code == 0)
      << "daemon did not exit cleanly: " << status.describe() << "\n"
      << s.daemon->stderr_tail();
  pending() = PendingJudgement{s.scenario, std::move(s.record)};
}

namespace {

class BudgetListener : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override { pending().reset(); }

  void OnTestEnd(const ::testing::TestInfo&) override {
    if (!pending()) return;
    const PendingJudgement judged = std::move(*pending());
    pending().reset();
    const Judgement judgement = judge(judged.scenario, judged.record);
    const std::string text =
        format_verdict(judged.record.test, judgement.evaluation, judgement.attribution_lines);
    std::cout << text << std::flush;
    for (const auto& violation : judgement.evaluation.violations) {
      if (!violation.expected) ADD_FAILURE() << "budget violated: " << violation.message;
    }
    // A budget the test set on a figure nothing read is not a pass.
    for (const auto& unread : judgement.evaluation.not_judged) {
      if (unread.explicit_budget) ADD_FAILURE() << format_not_judged({unread});
    }
    for (const auto& missing : judgement.evaluation.missing_expected) {
      ADD_FAILURE() << format_missing_expected(missing);
    }
    // Figures go into the JUnit/XML output (RecordProperty takes strings or ints only).
    for (const auto& [metric, observation] : judgement.observations) {
      if (observation.peak) {
        ::testing::Test::RecordProperty(metric + ".peak", std::to_string(*observation.peak));
      }
      if (observation.baseline && observation.final) {
        ::testing::Test::RecordProperty(metric + ".growth",
                                        std::to_string(*observation.final - *observation.baseline));
      }
    }
  }
};

}  // namespace

void install_budget_listener() {
  ::testing::UnitTest::GetInstance()->listeners().Append(new BudgetListener);
}

}  // namespace leakgate
