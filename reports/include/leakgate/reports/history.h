// The history database: runs (one suite invocation each) and per-test per-metric figures,
// so a page can show the change against the previous run and a chosen baseline run.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakgate::reports {

// $LEAKGATE_HISTORY when set, else <report_dir>/history.db.
std::filesystem::path history_path_for(const std::filesystem::path& report_dir);

// $LEAKGATE_RUN_ID when set (the suite sets one per ctest run), else a fresh unique id.
std::string current_run_id();

// One figure's noise over the clean runs of a `leakgate calibrate`: the spread of its
// per-iteration slopes (Theil–Sen) and of their upper confidence bounds, of growth and peak.
struct MetricNoise {
  std::string metric;
  int runs = 0;  // runs that had a per_iter slope (≥ 2 checkpoints)
  std::optional<double> slope_min, slope_max;
  std::optional<double> slope_bound;  // max |upper confidence bound of the slope| over the runs
  std::optional<double> growth_min, growth_max;
  std::optional<double> peak_min, peak_max;
};

struct Calibration {
  std::string test;  // "leak.issue-crud"
  std::string git_commit;
  int runs = 0;
  int false_alarms = 0;  // runs with a violation the scenario did not expect
  int errors = 0;        // runs that ended in a harness or daemon error
  std::vector<MetricNoise> metrics;
};

// `per_iter: auto` is the latest calibration's slope_bound times this margin.
inline constexpr double kCalibrationMargin = 1.5;

struct RunInfo {
  std::string run_id;
  std::string git_commit;
  std::string recorded_at;  // ISO-8601 UTC of the first test recorded in the run
  int tests = 0;
};

// One SQLite file, safe for concurrent writers from several processes (WAL, a busy
// timeout, and BEGIN IMMEDIATE for every write). Throws std::runtime_error with the
// path and SQLite's message on failure.
class History {
 public:
  explicit History(const std::filesystem::path& database);
  ~History();
  History(History&&) noexcept;
  History& operator=(History&&) noexcept;
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Stores the result's figures under `run_id` (replacing an earlier record of the
  // same test in the same run).
  void record(const std::string& run_id, const nlohmann::json& result);

  // {"run_id", "git_commit", "recorded_at", "verdict", "metrics": {name: {figures}}}, or
  // null: the most recent other run that has this test.
  nlohmann::json previous_figures(const std::string& test, const std::string& run_id) const;
  // The same for up to `limit` runs begun before this one that have this test, latest first.
  std::vector<nlohmann::json> earlier_figures(const std::string& test, const std::string& run_id,
                                              int limit) const;
  // The same for the baseline run; null when no baseline is set or it lacks this test.
  nlohmann::json baseline_figures(const std::string& test) const;
  // The same for a given run; null when that run lacks this test.
  nlohmann::json run_figures(const std::string& test, const std::string& run_id) const;

  // Makes `run_id` (default: the latest run) the baseline; returns the chosen run id.
  // Throws when there is no such run.
  std::string set_baseline(std::optional<std::string> run_id);
  std::optional<std::string> baseline_run() const;
  std::optional<std::string> latest_run() const;
  // The run before `run_id` in recording order.
  std::optional<std::string> run_before(const std::string& run_id) const;
  std::vector<RunInfo> runs() const;
  // Test names recorded in a run.
  std::vector<std::string> tests_in_run(const std::string& run_id) const;

  std::optional<double> baseline_peak(std::string_view test, std::string_view metric) const;

  // Stores a calibration (table `calibration`, one row per test, metric and recording).
  void record_calibration(const Calibration& calibration);
  // The latest calibration's slope_bound * kCalibrationMargin; nullopt when `test` was never
  // calibrated or `metric` had no per_iter slope then.
  std::optional<double> calibrated_per_iter(std::string_view test, std::string_view metric) const;

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

// The peak of `metric` for `test` in the baseline run, for the runner's `regress:` budget.
// nullopt when the database does not exist, no baseline is set, or the figure is absent.
std::optional<double> baseline_peak(const std::filesystem::path& history_database,
                                    std::string_view test, std::string_view metric);

// History::calibrated_per_iter on `history_database`; nullopt when the database does not exist.
std::optional<double> calibrated_per_iter(const std::filesystem::path& history_database,
                                          std::string_view test, std::string_view metric);

}  // namespace leakgate::reports
