#include "record/result_writer.h"

#include <sys/utsname.h>

#include <httplib.h>
#include <algorithm>
#include <boost/version.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "judge/judgement.h"
#include "leakgate/budget_eval.h"
#include "leakgate/metrics.h"
#include "leakgate/reports/publish.h"
#include "leakgate/reports/results_file.h"
#include "leakgate/units.h"
#include "leakgate/verdict.h"
#include "record/floors_json.h"

namespace leakgate {
namespace {

nlohmann::json number_or_null(const std::optional<double>& value) {
  if (!value || std::isnan(*value)) return nullptr;
  return *value;
}

// Every metric seen in a snapshot, plus every one with a budget in the scenario.
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

// The daemon's processes with their own figures (daemon.fds, .rss, .threads are the sums).
nlohmann::json processes_json(const std::vector<TreeProcessFigures>& processes) {
  nlohmann::json list = nlohmann::json::array();
  for (const TreeProcessFigures& p : processes) {
    list.push_back({{"pid", p.pid}, {"parent", p.parent}, {"name", p.name}, {"role", p.role},
                    {"fds", p.fds}, {"rss_bytes", p.rss_bytes}, {"threads", p.threads}});
  }
  return list;
}

nlohmann::json escaped_json(const std::vector<EscapedProcess>& processes) {
  nlohmann::json list = nlohmann::json::array();
  for (const EscapedProcess& p : processes)
    list.push_back({{"pid", p.pid}, {"command_line", p.command_line}});
  return list;
}

nlohmann::json attribution_json(const Judgement& judgement, const RunRecord& record) {
  nlohmann::json attribution = {
      {"objects", judgement.objects}, {"new_fds", judgement.new_fds}, {"heap_growth", nullptr}};
  if (record.heap_growth) add_heap_growth_json(attribution, *record.heap_growth);
  if (record.client_heap_growth) {
    add_heap_growth_json(attribution, *record.client_heap_growth, "client_heap_growth");
  }
  return attribution;
}

// Relative to the test's report directory, where write_result copies them.
nlohmann::json daemon_files(const RunRecord& record) {
  nlohmann::json files = {{"stdout", "daemon.stdout"}, {"stderr", "daemon.stderr"}};
  for (const auto& [name, file] : record.extra_files) files[name] = file;
  return files;
}

// The bounded view of the timeline (sample/timeline.h): per bucket of consecutive samples the
// max ("series") and, once a bucket spans more than one sample, the min ("series_min"); the
// full-resolution file beside result.json, and the rows of the measured window in it.
nlohmann::json timeline_json(const RunRecord& record) {
  const Timeline& timeline = record.timeline;
  nlohmann::json series = nlohmann::json::object();
  nlohmann::json series_min = nlohmann::json::object();
  for (const auto& column : timeline.columns()) {
    nlohmann::json values = nlohmann::json::array();
    for (double value : timeline.bucket_max(column)) values.push_back(number_or_null(value));
    series[column] = std::move(values);
    if (timeline.rows_per_bucket() == 1) continue;
    nlohmann::json mins = nlohmann::json::array();
    for (double value : timeline.bucket_min(column)) mins.push_back(number_or_null(value));
    series_min[column] = std::move(mins);
  }
  nlohmann::json json = {{"t_s", timeline.bucket_times()},
                         {"series", std::move(series)},
                         {"samples", timeline.size()},
                         {"samples_per_point", timeline.rows_per_bucket()},
                         {"file", nullptr},
                         {"peak_window_rows", nullptr}};
  if (timeline.rows_per_bucket() > 1) json["series_min"] = std::move(series_min);
  if (!timeline.file_path().empty()) {
    json["file"] = std::filesystem::path(timeline.file_path()).filename().string();
    if (!timeline.file_error().empty()) json["file_error"] = timeline.file_error();
  }
  if (auto rows = timeline.peak_window_rows()) {
    json["peak_window_rows"] = {rows->first, rows->second};
  }
  return json;
}

// Which step leaks and the known leaks (issue 19): each top-level entry of `steps` gets its
// number and its mean change per iteration of every cheap figure; `step_attribution` lists the
// violated metrics' growth by step, `known_leaks` each entry's state.
void add_step_and_known_leak_json(nlohmann::json& result, const Judgement& judgement,
                                  const RunRecord& record) {
  const StepGrowth& growth = record.step_growth;
  size_t top = 0;
  for (auto& entry : result["steps"]) {
    if (entry["what"].get<std::string>().rfind("  ", 0) == 0) continue;  // inside a parallel step
    nlohmann::json per_iter = nlohmann::json::object();
    if (top < growth.deltas.size()) {
      for (const auto& [metric, sum] : growth.deltas[top]) {
        if (sum.count > 0) per_iter[metric] = sum.sum / static_cast<double>(sum.count);
      }
    }
    entry["step"] = ++top;
    entry["growth_per_iter"] = std::move(per_iter);
  }
  nlohmann::json attributions = nlohmann::json::array();
  for (const StepAttribution& attribution : judgement.step_attributions) {
    nlohmann::json shares = nlohmann::json::array();
    for (const StepShare& share : attribution.shares) {
      shares.push_back({{"step", share.step + 1},
                        {"what", share.step < growth.steps.size() ? growth.steps[share.step] : ""},
                        {"per_iter", share.per_iter},
                        {"share", share.share}});
    }
    attributions.push_back({{"metric", attribution.metric},
                            {"per_iter", attribution.per_iter},
                            {"follows_time_per_s", attribution.clock
                                                       ? nlohmann::json(attribution.clock->per_second)
                                                       : nlohmann::json(nullptr)},
                            {"text", format_step_attribution(attribution, growth.steps)},
                            {"shares", std::move(shares)}});
  }
  result["step_attribution"] = std::move(attributions);
  nlohmann::json known = nlohmann::json::array();
  for (const KnownLeakResult& entry : judgement.known_leaks) {
    known.push_back({{"metric", entry.leak.metric},
                     {"site", entry.leak.site},
                     {"per_iter", entry.leak.per_iter},
                     {"reason", entry.leak.reason},
                     {"issue", entry.leak.issue},
                     {"expires", entry.leak.expires},
                     {"where", entry.leak.where.str()},
                     {"state", to_string(entry.state)},
                     {"matched", entry.matched.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(entry.matched)},
                     {"observed_per_iter", number_or_null(entry.observed_per_iter)},
                     {"message", entry.line}});
  }
  result["known_leaks"] = std::move(known);
}

}  // namespace

RunOutcome write_result(const Scenario& scenario, const RunOptions& options,
                        const RunRecord& record, const Judgement& judgement,
                        const std::filesystem::path& workdir) {
  const Evaluation& evaluation = judgement.evaluation;
  const Observations& observations = judgement.observations;
  const RunVerdict& verdict = judgement.verdict;
  const std::string& text = verdict.text;

  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [metric, observation] : observations) {
    const auto judged_by = evaluation.budgets.find(metric);
    const Budget effective = judged_by != evaluation.budgets.end()
                                 ? judged_by->second
                                 : effective_budget(metric, scenario);
    const bool has_scenario_budget = scenario.budgets.count(metric) > 0;
    const MetricFigures& figures = judgement.figures.at(metric);
    nlohmann::json trend = nullptr;
    if (const auto& t = figures.trend) {
      trend = {{"slope", t->slope},
               {"slope_lower", t->slope_lower},
               {"slope_upper", t->slope_upper},
               {"confidence", kTrendConfidence},
               {"p_value", t->p_value},
               {"by_trend", per_iter_by_trend(metric)},
               {"collections", t->collections}};
    }
    const auto metric_verdict = verdict.metrics.find(metric);
    metrics[metric] = {{"unit", std::string(unit_name(metric_unit(metric)))},
                       {"baseline", number_or_null(observation.baseline)},
                       {"peak", number_or_null(observation.peak)},
                       {"final", number_or_null(observation.final)},
                       {"growth", number_or_null(figures.growth)},
                       {"per_iter", number_or_null(figures.per_iter)},
                       {"at_exit", number_or_null(observation.at_exit)},
                       {"per_iter_trend", trend},
                       {"checkpoints", observation.checkpoints},
                       {"budget",
                        {{"peak", number_or_null(effective.peak)},
                         {"growth", number_or_null(effective.growth)},
                         {"per_iter", number_or_null(effective.per_iter)},
                         {"at_exit", number_or_null(effective.at_exit)},
                         {"regress", number_or_null(effective.regress)},
                         {"source", has_scenario_budget ? "scenario" : "default"}}},
                       {"verdict", metric_verdict != verdict.metrics.end()
                                       ? metric_verdict->second
                                       : std::string("pass")}};
    // A figure kept more sparsely than the run's checkpoints (the Python agent's cadence).
    if (observation.iterations_per_checkpoint != record.checkpoints.every())
      metrics[metric]["checkpoints_apart"] = observation.iterations_per_checkpoint;
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
  nlohmann::json not_judged = nlohmann::json::array();
  for (const auto& entry : evaluation.not_judged) {
    not_judged.push_back({{"metric", entry.metric},
                          {"key", entry.key},
                          {"reason", entry.reason},
                          {"explicit", entry.explicit_budget}});
  }
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& source : record.sources) {
    sources.push_back(
        {{"name", source.name},
         {"live", source.live},
         {"reason", source.live ? nlohmann::json(nullptr) : nlohmann::json(source.reason)}});
  }
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& phase : record.phases) {
    phases.push_back({{"name", phase.name},
                      {"start_s", phase.start_s},
                      {"end_s", phase.end_s < phase.start_s ? record.duration_s : phase.end_s}});
  }
  const nlohmann::json timeline = timeline_json(record);
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
      {"verdict", verdict.verdict},
      {"exit_code", verdict.exit_code},
      {"summary", first_line},
      {"message", text},
      {"error", record.failure ? failure_json(*record.failure) : nlohmann::json(nullptr)},
      {"warnings", verdict.warnings},
      {"started_at", record.started_at},
      {"duration_s", record.duration_s},
      {"iterations",
       {{"warmup", record.warmup},
        {"measured", record.iterations},
        {"completed", record.completed_iterations},
        {"cut_short",
         record.cut_short.empty() ? nlohmann::json(nullptr) : nlohmann::json(record.cut_short)},
        {"auto", scenario.iterations_auto},  // iterations: auto, and why it stopped
        {"auto_stop",
         record.auto_stop.empty() ? nlohmann::json(nullptr) : nlohmann::json(record.auto_stop)}}},
      {"sample_hz", options.sample_hz.value_or(scenario.sample_hz)},
      {"sampler_thread",
       {{"ticks", record.sampler_ticks},
        {"cpu_s", record.sampler_cpu_s},
        {"normal_priority_ticks", record.sampler_normal_priority_ticks},
        {"max_late_s", record.sampler_max_late_s}}},
      {"phases", phases},
      {"floors", floors_json(record)},
      {"iteration_ticks_s", record.checkpoints.times()},
      {"checkpoint_every", record.checkpoints.every()},
      {"metrics", metrics},
      {"timeline", timeline},
      {"violations", violations},
      {"missing_expected", evaluation.missing_expected},
      {"sources", sources},
      {"not_judged", not_judged},
      {"attribution", attribution_json(judgement, record)},
      {"steps", steps},
      {"daemon",
       {{"command", record.daemon_command},
        {"pid", record.daemon_pid},
        {"cpu_s",
         record.daemon_cpu_s ? nlohmann::json(*record.daemon_cpu_s) : nlohmann::json(nullptr)},
        {"exit", exit_json},
        {"stop", record.stop_description},
        {"step_leftovers", escaped_json(record.step_leftovers)},
        {"processes",
         {{"baseline", processes_json(record.baseline_processes)},
          {"final", processes_json(record.final_processes)}}},
        {"stdout_tail", record.stdout_tail},
        {"stderr_tail", record.stderr_tail},
        {"files", daemon_files(record)}}},
      {"environment", environment_json()},
      {"history", nullptr}};
  add_step_and_known_leak_json(result, judgement, record);

  // Keep the daemon's full output beside the report: the work directory is removed.
  const auto test_dir = options.report_dir / record.test;
  std::error_code ec;
  std::filesystem::create_directories(test_dir, ec);
  for (const char* name : {"daemon.stdout", "daemon.stderr"}) {
    std::filesystem::copy_file(workdir / name, test_dir / name,
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  for (const auto& [name, file] : record.extra_files) {
    std::filesystem::copy_file(workdir / file, test_dir / file,
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  if (!record.timeline.file_path().empty()) {
    const std::filesystem::path file = record.timeline.file_path();
    std::filesystem::copy_file(file, test_dir / file.filename(),
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  RunOutcome outcome{verdict.exit_code, verdict.verdict, text, test_dir / "result.json", {}};
  try {
    reports::publish_test_result(options.report_dir, result);
  } catch (const std::exception& error) {
    outcome.publish_error = error.what();  // the verdict is printed all the same
  }
  for (const auto& [metric, observation] : observations) {
    if (observation.peak && !std::isnan(*observation.peak)) {
      outcome.figures[metric + ".peak"] = *observation.peak;
    }
    if (const auto& growth = judgement.figures.at(metric).growth)
      outcome.figures[metric + ".growth"] = *growth;
  }
  if (options.print_measurements) {
    for (const auto& [name, value] : outcome.figures) {
      std::printf(
          "<CTestMeasurement type=\"numeric/double\" name=\"%s\">%.17g</CTestMeasurement>\n",
          name.c_str(), value);
    }
  }
  return outcome;
}

}  // namespace leakgate
