// leakgate calibrate: run clean scenarios N times, record each figure's noise in the history
// database (reports::History::record_calibration) and report the false-alarm rate of the
// current budgets. A measurement: exit 0 when it completed, whatever the rate; 2 on bad input.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "leakgate/reports/history.h"
#include "leakgate/runner.h"
#include "leakgate/verdict.h"
#include "report_dir.h"
#include "scenario_files.h"
#include "subcommand.h"

namespace leakgate::cli {
namespace {

void widen(std::optional<double>& low, std::optional<double>& high, double value) {
  if (!std::isfinite(value)) return;
  low = low ? std::min(*low, value) : value;
  high = high ? std::max(*high, value) : value;
}

// One run's figures folded into the noise of each metric.
void add_run(const nlohmann::json& result, std::map<std::string, reports::MetricNoise>& noise) {
  if (!result.contains("metrics") || !result["metrics"].is_object()) return;
  for (const auto& [metric, figures] : result["metrics"].items()) {
    reports::MetricNoise& entry = noise[metric];
    entry.metric = metric;
    const auto number = [&](const nlohmann::json& object,
                            const char* key) -> std::optional<double> {
      if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return {};
      return object[key].get<double>();
    };
    if (const auto growth = number(figures, "growth"))
      widen(entry.growth_min, entry.growth_max, *growth);
    if (const auto peak = number(figures, "peak")) widen(entry.peak_min, entry.peak_max, *peak);
    const nlohmann::json trend = figures.value("per_iter_trend", nlohmann::json());
    const auto slope = number(trend, "slope");
    if (!slope) continue;
    ++entry.runs;
    widen(entry.slope_min, entry.slope_max, *slope);
    double bound = std::fabs(number(trend, "slope_upper").value_or(*slope));
    bound = std::max(bound, std::fabs(number(trend, "slope_lower").value_or(*slope)));
    entry.slope_bound = std::max(entry.slope_bound.value_or(0), bound);
  }
}

bool unexpected_violation(const nlohmann::json& result) {
  for (const auto& violation : result.value("violations", nlohmann::json::array()))
    if (!violation.value("expected", false)) return true;
  return !result.value("missing_expected", nlohmann::json::array()).empty();
}

std::string span(std::string_view metric, const std::optional<double>& low,
                 const std::optional<double>& high, bool signed_value) {
  if (!low || !high) return "-";
  return format_metric_value(metric, *low, signed_value) + ".." +
         format_metric_value(metric, *high, signed_value);
}

// "  daemon.fds  per_iter -0..+0 (bound 0/iter, auto 0/iter)  growth 0..0  peak 12..12"
void print_noise(const reports::MetricNoise& noise) {
  std::string line = "  " + noise.metric;
  if (noise.slope_bound) {
    line += "  per_iter " + span(noise.metric, noise.slope_min, noise.slope_max, true) + "/iter" +
            " (max |CI bound| " + format_metric_value(noise.metric, *noise.slope_bound) +
            "/iter, per_iter: auto = " +
            format_metric_value(noise.metric, *noise.slope_bound * reports::kCalibrationMargin) +
            "/iter)";
  }
  line += "  growth " + span(noise.metric, noise.growth_min, noise.growth_max, true);
  line += "  peak " + span(noise.metric, noise.peak_min, noise.peak_max, false);
  std::printf("%s\n", line.c_str());
}

struct CalibrateArgs {
  ScenarioFiles scenarios;
  std::string report_dir = default_report_dir();
  int runs = 20;

  void add_options(CLI::App& command) {
    scenarios.add_files_option(command);
    command.add_option("--runs", runs, "Runs per scenario (default 20)")
        ->check(CLI::Range(1, 10000));
    scenarios.add_var_option(command);
    add_report_dir_option(command, report_dir, "Whose history database records the calibration",
                          "; the runs' own reports go to DIR/calibration-runs");
  }
};

int calibrate(const CalibrateArgs& args) {
  RunOptions options;
  const auto scenarios = args.scenarios.load(options.vars, "leakgate calibrate");
  if (!scenarios) return 2;
  // The runs' own pages and history stay apart from the suite's: only the calibration is
  // recorded in the history database of --report-dir.
  options.report_dir = std::filesystem::path(args.report_dir) / "calibration-runs";
  options.progress = RunOptions::Progress::kQuiet;
  std::error_code error;
  std::filesystem::create_directories(options.report_dir, error);
  if (error) {
    std::fprintf(stderr, "leakgate calibrate: --report-dir %s: cannot create it: %s\n",
                 args.report_dir.c_str(), error.message().c_str());
    return 2;
  }
  reports::History history(reports::history_path_for(args.report_dir));
  for (const Scenario& scenario : *scenarios) {
    reports::Calibration calibration;
    calibration.test = "leak." + scenario.name;
    std::map<std::string, reports::MetricNoise> noise;
    for (int run = 1; run <= args.runs; ++run) {
      const RunOutcome outcome = run_scenario(scenario, options);
      std::ifstream in(outcome.result_path);
      const auto result = nlohmann::json::parse(in, nullptr, false);
      if (result.is_discarded()) {
        std::fprintf(stderr, "leakgate calibrate: %s: cannot read %s%s%s\n",
                     calibration.test.c_str(), outcome.result_path.string().c_str(),
                     outcome.publish_error.empty() ? "" : ": ", outcome.publish_error.c_str());
        return 1;
      }
      ++calibration.runs;
      const std::string verdict = result.value("verdict", "?");
      const bool alarm = verdict != "error" && unexpected_violation(result);
      calibration.false_alarms += alarm ? 1 : 0;
      calibration.errors += verdict == "error" ? 1 : 0;
      if (verdict != "error") add_run(result, noise);
      if (calibration.git_commit.empty() && result.contains("environment"))
        calibration.git_commit = result["environment"].value("git_commit", "");
      std::printf("%s run %d/%d: %s%s (%d iterations, %.1f s)\n", calibration.test.c_str(), run,
                  args.runs, verdict.c_str(),
                  alarm               ? ", a false alarm"
                  : verdict == "fail" ? ", no violation (a budget was not judged)"
                                      : "",
                  result["iterations"].value("completed", 0), result.value("duration_s", 0.0));
      if (alarm || verdict == "error")
        std::printf("     %s\n", result.value("summary", std::string()).c_str());
      std::fflush(stdout);
    }
    for (auto& [metric, entry] : noise) calibration.metrics.push_back(entry);
    history.record_calibration(calibration);
    const int judged = calibration.runs - calibration.errors;
    std::printf("%s: false-alarm rate %d/%d (%.0f%%) of the current budgets",
                calibration.test.c_str(), calibration.false_alarms, judged,
                judged > 0 ? 100.0 * calibration.false_alarms / judged : 0.0);
    if (calibration.errors) std::printf("; %d runs ended in an error", calibration.errors);
    std::printf("\n");
    for (const auto& entry : calibration.metrics)
      if (entry.slope_bound || entry.growth_max) print_noise(entry);
  }
  std::fprintf(stderr, "calibration recorded in %s\n",
               reports::history_path_for(args.report_dir).string().c_str());
  return 0;
}

}  // namespace

void define_calibrate_command(CLI::App& command, int* exit_code) {
  define_subcommand<CalibrateArgs>(command, exit_code, calibrate);
}

}  // namespace leakgate::cli
