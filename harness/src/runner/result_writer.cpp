#include "result_writer.h"

#include <sys/utsname.h>

#include <httplib.h>
#include <algorithm>
#include <boost/version.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include "attribution.h"
#include "leakgate/budget_eval.h"
#include "leakgate/metrics.h"
#include "leakgate/reports/history.h"
#include "leakgate/reports/publish.h"
#include "leakgate/units.h"
#include "leakgate/verdict.h"

namespace leakgate {
namespace {

nlohmann::json number_or_null(const std::optional<double>& value) {
  if (!value || std::isnan(*value)) return nullptr;
  return *value;
}

std::optional<double> frame_value(const std::optional<Frame>& frame, const std::string& metric) {
  if (!frame) return std::nullopt;
  auto it = frame->find(metric);
  if (it == frame->end() || std::isnan(it->second)) return std::nullopt;
  return it->second;
}

// Every metric seen in a snapshot, plus every one with a budget in the scenario.
std::set<std::string> observed_metrics(const RunRecord& record, const Scenario& scenario) {
  std::set<std::string> names;
  for (const auto* frame : {&record.baseline, &record.final}) {
    if (*frame) {
      for (const auto& [metric, value] : **frame) names.insert(metric);
    }
  }
  for (const auto& [metric, budget] : scenario.budgets) names.insert(metric);
  return names;
}

std::map<std::string, MetricObservation> observe(const RunRecord& record,
                                                 const Scenario& scenario) {
  std::map<std::string, MetricObservation> observations;
  const double measured_start = [&] {
    for (const auto& phase : record.phases) {
      if (phase.name == "measured") return phase.start_s;
    }
    return 0.0;
  }();
  const double measured_end =
      record.iteration_ticks_s.empty() ? measured_start : record.iteration_ticks_s.back();
  for (const auto& metric : observed_metrics(record, scenario)) {
    MetricObservation observation;
    observation.baseline = frame_value(record.baseline, metric);
    observation.final = frame_value(record.final, metric);
    for (const size_t row : record.checkpoint_rows) {
      const double value = record.timeline.value(row, metric);
      if (!std::isnan(value)) observation.checkpoints.push_back(value);
    }
    const double peak = record.timeline.max_between(metric, measured_start, measured_end);
    if (!std::isnan(peak)) observation.peak = peak;
    if (record.daemon_at_exit && metric.rfind("daemon.", 0) == 0) {
      for (const auto& kind : record.daemon_at_exit->kinds) {
        if ("daemon." + kind.name == metric) observation.at_exit = static_cast<double>(kind.live);
      }
    }
    if (auto it = record.client_at_exit.find(metric); it != record.client_at_exit.end()) {
      observation.at_exit = it->second;
    }
    observations[metric] = observation;
  }
  return observations;
}

bool is_counted_kind(const std::string& metric) {
  auto info = find_metric(metric);
  return !info || info->source == MetricSource::kCounter;
}

nlohmann::json environment_json() {
  utsname host{};
  uname(&host);
  std::string commit;
  if (const char* env = std::getenv("LEAKGATE_GIT_COMMIT")) commit = env;
  if (commit.empty()) {
    if (FILE* pipe =
            popen("git -C " LEAKGATE_SOURCE_DIR " rev-parse --short HEAD 2>/dev/null", "r")) {
      char line[64] = {};
      if (std::fgets(line, sizeof(line), pipe)) commit = line;
      pclose(pipe);
      while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
    }
  }
  return {{"git_commit", commit},
          {"build_type", LEAKGATE_BUILD_TYPE},
          {"host", std::string(host.nodename) + " (" + host.sysname + " " + host.release + ")"},
          {"compiler", std::string("GNU ") + __VERSION__},
          {"libraries", {{"boost", BOOST_LIB_VERSION}, {"cpp-httplib", CPPHTTPLIB_VERSION}}}};
}

nlohmann::json failure_json(const RunFailure& failure) {
  nlohmann::json json = {
      {"what", failure.what},
      {"detail", failure.detail},
      {"step", failure.step.empty() ? nlohmann::json(nullptr) : nlohmann::json(failure.step)},
      {"where", failure.where},
      {"iteration", failure.iteration},
      {"exit_code", nullptr},
      {"signal", nullptr}};
  if (failure.exit) {
    if (failure.exit->code) json["exit_code"] = *failure.exit->code;
    if (failure.exit->signal) {
      const char* name = sigabbrev_np(*failure.exit->signal);
      json["signal"] = std::string("SIG") + (name ? name : "?");
    }
  }
  return json;
}

std::string failure_text(const std::string& test, const RunFailure& failure,
                         const std::string& stderr_tail) {
  std::string text = "FAIL " + test + "  " + failure.what;
  if (failure.iteration > 0) text += " in iteration " + std::to_string(failure.iteration);
  if (failure.iteration < 0) text += " in warm-up iteration " + std::to_string(-failure.iteration);
  if (!failure.step.empty()) text += ", step '" + failure.step + "' (" + failure.where + ")";
  if (failure.exit) text += ": " + failure.exit->describe();
  text += "\n     " + failure.detail + "\n";
  if (!stderr_tail.empty()) {
    std::string tail =
        stderr_tail.size() > 800 ? stderr_tail.substr(stderr_tail.size() - 800) : stderr_tail;
    text += "     daemon stderr (tail):\n";
    size_t start = 0;
    while (start < tail.size()) {
      size_t end = tail.find('\n', start);
      if (end == std::string::npos) end = tail.size();
      text += "       | " + tail.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return text;
}

}  // namespace

RunOutcome write_result(const Scenario& scenario, const RunOptions& options,
                        const RunRecord& record, const std::filesystem::path& workdir) {
  const auto observations = observe(record, scenario);
  const auto history_db = reports::history_path_for(options.report_dir);
  std::map<std::string, double> history_peaks;
  for (const auto& [metric, budget] : scenario.budgets) {
    if (budget.regress) {
      if (auto peak = reports::baseline_peak(history_db, record.test, metric)) {
        history_peaks[metric] = *peak;
      }
    }
  }
  const Evaluation evaluation = evaluate(observations, scenario, history_peaks);

  // Attribution for what was violated: live objects by creation stack, new fds.
  nlohmann::json objects = nlohmann::json::object();
  std::vector<std::string> attribution_lines;
  std::set<std::string> violated_metrics;
  for (const auto& violation : evaluation.violations) violated_metrics.insert(violation.metric);
  for (const auto& metric : violated_metrics) {
    if (!is_counted_kind(metric)) continue;
    const bool daemon_side = metric.rfind("daemon.", 0) == 0;
    const std::string kind = metric.substr(metric.find('.') + 1);
    auto groups =
        live_groups_of(daemon_side ? record.daemon_live_objects : record.client_live_objects, kind);
    if (groups.empty()) continue;
    objects[metric] = groups;
    // Stacks that differ only below the project's frames share a site: one line each.
    std::vector<std::pair<std::string, int64_t>> by_site;
    for (const auto& group : groups) {
      const std::string site = group["site"].get<std::string>();
      auto it = std::find_if(by_site.begin(), by_site.end(),
                             [&](const auto& entry) { return entry.first == site; });
      if (it == by_site.end())
        by_site.emplace_back(site, group["count"].get<int64_t>());
      else
        it->second += group["count"].get<int64_t>();
    }
    std::stable_sort(by_site.begin(), by_site.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (size_t i = 0; i < by_site.size() && i < 3; ++i) {
      attribution_lines.push_back(std::to_string(by_site[i].second) + " live " + metric +
                                  " created at " + by_site[i].first);
    }
  }
  const nlohmann::json fresh_fds = new_fds(record.baseline_fds, record.final_fds);
  bool fds_violated = false;
  for (const auto& metric : violated_metrics) {
    if (metric.rfind("daemon.fds", 0) == 0) fds_violated = true;
  }
  if (fds_violated && !fresh_fds.empty()) {
    // Socket and pipe targets are unique inodes: count those by type, files by path.
    std::map<std::string, int> by_target;
    for (const auto& fd : fresh_fds) {
      const std::string type = fd["type"].get<std::string>();
      by_target[type == "file" || type == "other" ? fd["target"].get<std::string>()
                                                  : type + " fds"]++;
    }
    int shown = 0;
    for (const auto& [target, count] : by_target) {
      if (shown++ == 3) break;
      attribution_lines.push_back(std::to_string(count) + " new daemon fd(s): " + target);
    }
  }

  int exit_code = evaluation.passed ? 0 : 1;
  std::string verdict = evaluation.passed ? "pass" : "fail";
  std::string text;
  if (record.failure) {
    exit_code = 1;
    verdict = "error";
    text = failure_text(record.test, *record.failure, record.stderr_tail);
  } else {
    text = format_verdict(record.test, evaluation, attribution_lines);
  }
  for (const auto& warning : record.warnings) text += "     note: " + warning + "\n";

  nlohmann::json metrics = nlohmann::json::object();
  std::set<std::string> violated_keys, expected_keys;
  for (const auto& v : evaluation.violations) {
    (v.expected ? expected_keys : violated_keys).insert(v.metric);
  }
  for (const auto& [metric, observation] : observations) {
    const Budget effective = effective_budget(metric, scenario);
    const bool has_scenario_budget = scenario.budgets.count(metric) > 0;
    std::optional<double> growth;
    if (observation.baseline && observation.final)
      growth = *observation.final - *observation.baseline;
    std::optional<double> slope;
    if (observation.checkpoints.size() >= 2) slope = theil_sen_slope(observation.checkpoints);
    std::string metric_verdict = "pass";
    if (violated_keys.count(metric))
      metric_verdict = "fail";
    else if (expected_keys.count(metric))
      metric_verdict = "expected-fail";
    metrics[metric] = {{"unit", std::string(unit_name(metric_unit(metric)))},
                       {"baseline", number_or_null(observation.baseline)},
                       {"peak", number_or_null(observation.peak)},
                       {"final", number_or_null(observation.final)},
                       {"growth", number_or_null(growth)},
                       {"per_iter", number_or_null(slope)},
                       {"at_exit", number_or_null(observation.at_exit)},
                       {"checkpoints", observation.checkpoints},
                       {"budget",
                        {{"peak", number_or_null(effective.peak)},
                         {"growth", number_or_null(effective.growth)},
                         {"per_iter", number_or_null(effective.per_iter)},
                         {"at_exit", number_or_null(effective.at_exit)},
                         {"regress", number_or_null(effective.regress)},
                         {"source", has_scenario_budget ? "scenario" : "default"}}},
                       {"verdict", metric_verdict}};
  }

  nlohmann::json violations = nlohmann::json::array();
  for (const auto& v : evaluation.violations) {
    violations.push_back({{"metric", v.metric},
                          {"key", v.key},
                          {"limit", v.limit},
                          {"observed", v.observed},
                          {"expected", v.expected},
                          {"message", v.message}});
  }
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& phase : record.phases) {
    phases.push_back({{"name", phase.name},
                      {"start_s", phase.start_s},
                      {"end_s", phase.end_s < phase.start_s ? record.duration_s : phase.end_s}});
  }
  nlohmann::json series = nlohmann::json::object();
  for (const auto& column : record.timeline.columns()) {
    nlohmann::json values = nlohmann::json::array();
    for (double value : record.timeline.series(column)) values.push_back(number_or_null(value));
    series[column] = std::move(values);
  }
  nlohmann::json steps = nlohmann::json::array();
  for (size_t i = 0; i < record.steps.size(); ++i) {
    const StepStats& s = record.steps[i];
    steps.push_back({{"index", i},
                     {"what", s.what},
                     {"where", s.where},
                     {"calls", s.calls},
                     {"total_ms", s.total_ms},
                     {"max_ms", s.max_ms},
                     {"failures", s.failures},
                     {"first_failure", s.first_failure.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(s.first_failure)}});
  }
  nlohmann::json exit_json = nullptr;
  if (record.daemon_exit) {
    exit_json = {{"code", record.daemon_exit->code ? nlohmann::json(*record.daemon_exit->code)
                                                   : nlohmann::json(nullptr)},
                 {"signal", record.daemon_exit->signal
                                ? nlohmann::json(std::string("SIG") +
                                                 sigabbrev_np(*record.daemon_exit->signal))
                                : nlohmann::json(nullptr)},
                 {"killed_after_timeout", record.daemon_exit->killed_after_timeout}};
  }

  const std::string first_line = text.substr(0, text.find('\n'));
  nlohmann::json result = {
      {"schema", "leakgate.result/1"},
      {"test", record.test},
      {"scenario",
       {{"name", scenario.name}, {"file", scenario.file}, {"description", scenario.description}}},
      {"verdict", verdict},
      {"exit_code", exit_code},
      {"summary", first_line},
      {"message", text},
      {"error", record.failure ? failure_json(*record.failure) : nlohmann::json(nullptr)},
      {"warnings", record.warnings},
      {"started_at", record.started_at},
      {"duration_s", record.duration_s},
      {"iterations",
       {{"warmup", record.warmup},
        {"measured", record.iterations},
        {"completed", record.completed_iterations}}},
      {"sample_hz", options.sample_hz.value_or(scenario.sample_hz)},
      {"phases", phases},
      {"iteration_ticks_s", record.iteration_ticks_s},
      {"metrics", metrics},
      {"timeline", {{"t_s", record.timeline.times()}, {"series", series}}},
      {"violations", violations},
      {"missing_expected", evaluation.missing_expected},
      {"attribution", {{"objects", objects}, {"new_fds", fresh_fds}, {"heap_growth", nullptr}}},
      {"steps", steps},
      {"daemon",
       {{"command", record.daemon_command},
        {"pid", record.daemon_pid},
        {"exit", exit_json},
        {"stdout_tail", record.stdout_tail},
        {"stderr_tail", record.stderr_tail},
        {"files", {{"stdout", "daemon.stdout"}, {"stderr", "daemon.stderr"}}}}},
      {"environment", environment_json()},
      {"history", nullptr}};

  // Keep the daemon's full output beside the report: the work directory is removed.
  const auto test_dir = options.report_dir / record.test;
  std::error_code ec;
  std::filesystem::create_directories(test_dir, ec);
  for (const char* name : {"daemon.stdout", "daemon.stderr"}) {
    std::filesystem::copy_file(workdir / name, test_dir / name,
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  reports::publish_test_result(options.report_dir, result);

  if (options.print_measurements) {
    for (const auto& [metric, observation] : observations) {
      auto print = [&](const char* key, const std::optional<double>& value) {
        if (value && !std::isnan(*value)) {
          std::printf(
              "<CTestMeasurement type=\"numeric/double\" name=\"%s.%s\">%.17g</CTestMeasurement>\n",
              metric.c_str(), key, *value);
        }
      };
      print("peak", observation.peak);
      if (observation.baseline && observation.final) {
        print("growth", *observation.final - *observation.baseline);
      }
    }
  }
  return RunOutcome{exit_code, text, test_dir / "result.json"};
}

}  // namespace leakgate
