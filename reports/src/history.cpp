#include "leakgate/reports/history.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "clock.h"
#include "json_access.h"
#include "sqlite_handle.h"

namespace leakgate::reports {
namespace {

using detail::ImmediateTransaction;
using detail::SqliteDatabase;
using detail::SqliteStatement;
using nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- recording order
  run_id TEXT NOT NULL UNIQUE,
  git_commit TEXT,
  recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS test_results (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  test TEXT NOT NULL,
  verdict TEXT,
  duration_s REAL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, test));
CREATE TABLE IF NOT EXISTS figures (
  run_id TEXT NOT NULL,
  test TEXT NOT NULL,
  metric TEXT NOT NULL,
  unit TEXT,
  baseline REAL, peak REAL, final REAL, growth REAL, per_iter REAL, at_exit REAL,
  PRIMARY KEY (run_id, test, metric));
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS calibration (  -- leakgate calibrate: each figure's noise
  test TEXT NOT NULL,
  metric TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  git_commit TEXT,
  runs INTEGER, calibration_runs INTEGER, false_alarms INTEGER, errors INTEGER,
  slope_min REAL, slope_max REAL, slope_bound REAL,
  growth_min REAL, growth_max REAL, peak_min REAL, peak_max REAL,
  PRIMARY KEY (test, metric, recorded_at));
)sql";

constexpr const char* kFigureColumns[] = {"baseline", "peak",     "final",
                                          "growth",   "per_iter", "at_exit"};

std::optional<std::string> single_text(const SqliteDatabase& database, const char* sql,
                                       std::optional<std::string> parameter = std::nullopt) {
  SqliteStatement query(database, sql);
  if (parameter) query.bind(1, *parameter);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

}  // namespace

struct History::Connection {
  explicit Connection(const std::filesystem::path& path) : database(path) {}
  SqliteDatabase database;
};

std::filesystem::path history_path_for(const std::filesystem::path& report_dir) {
  if (const char* path = std::getenv("LEAKGATE_HISTORY"); path && *path) return path;
  return report_dir / "history.db";
}

std::string current_run_id() {
  if (const char* run_id = std::getenv("LEAKGATE_RUN_ID"); run_id && *run_id) return run_id;
  // A test run on its own is a run of its own: time, pid and a random suffix keep it unique.
  std::string stamp = detail::utc_now_iso8601();
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  std::random_device random;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", random());
  return stamp + "-" + std::to_string(::getpid()) + "-" + suffix;
}

History::History(const std::filesystem::path& database)
    : connection_(std::make_unique<Connection>(database)) {
  ImmediateTransaction transaction(connection_->database);
  connection_->database.execute(kSchema);
  transaction.commit();
}

History::~History() = default;
History::History(History&&) noexcept = default;
History& History::operator=(History&&) noexcept = default;

void History::record(const std::string& run_id, const json& result) {
  const std::string test = detail::text_member(result, "test");
  if (test.empty()) throw std::runtime_error("history: result has no test name");
  const std::string now = detail::utc_now_iso8601();
  const std::string commit =
      detail::text_member(detail::member(result, "environment"), "git_commit");
  SqliteDatabase& database = connection_->database;
  ImmediateTransaction transaction(database);
  SqliteStatement(
      database,
      "INSERT INTO runs(run_id, git_commit, recorded_at) VALUES(?1, NULLIF(?2, ''), ?3) "
      "ON CONFLICT(run_id) DO UPDATE SET git_commit = COALESCE(git_commit, excluded.git_commit)")
      .bind(1, run_id)
      .bind(2, commit)
      .bind(3, now)
      .step();
  SqliteStatement(
      database,
      "INSERT OR REPLACE INTO test_results(run_id, test, verdict, duration_s, recorded_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5)")
      .bind(1, run_id)
      .bind(2, test)
      .bind(3, detail::text_member(result, "verdict"))
      .bind(4, detail::number_member(result, "duration_s"))
      .bind(5, now)
      .step();
  SqliteStatement(database, "DELETE FROM figures WHERE run_id = ?1 AND test = ?2")
      .bind(1, run_id)
      .bind(2, test)
      .step();
  const json& metrics = detail::member(result, "metrics");
  for (const auto& [name, metric] : detail::object_or_empty(metrics).items()) {
    SqliteStatement insert(
        database,
        "INSERT INTO figures(run_id, test, metric, unit, baseline, peak, final, "
        "growth, per_iter, at_exit) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    insert.bind(1, run_id).bind(2, test).bind(3, name).bind(4, detail::text_member(metric, "unit"));
    int index = 5;
    for (const char* figure : kFigureColumns)
      insert.bind(index++, detail::number_member(metric, figure));
    insert.step();
  }
  transaction.commit();
}

json History::run_figures(const std::string& test, const std::string& run_id) const {
  const SqliteDatabase& database = connection_->database;
  SqliteStatement header(
      database,
      "SELECT r.run_id, r.git_commit, t.recorded_at, t.verdict FROM test_results t "
      "JOIN runs r ON r.run_id = t.run_id WHERE t.test = ?1 AND t.run_id = ?2");
  header.bind(1, test).bind(2, run_id);
  if (!header.step()) return nullptr;
  json run = {{"run_id", header.text(0)},
              {"git_commit", header.text(1)},
              {"recorded_at", header.text(2)},
              {"verdict", header.text(3)},
              {"metrics", json::object()}};
  SqliteStatement figures(database,
                          "SELECT metric, unit, baseline, peak, final, growth, per_iter, at_exit "
                          "FROM figures WHERE run_id = ?1 AND test = ?2 ORDER BY metric");
  figures.bind(1, run_id).bind(2, test);
  while (figures.step()) {
    json metric = {{"unit", figures.text(1)}};
    int column = 2;
    for (const char* figure : kFigureColumns) {
      const auto value = figures.number(column++);
      metric[figure] = value ? json(*value) : json(nullptr);
    }
    run["metrics"][figures.text(0)] = std::move(metric);
  }
  return run;
}

json History::previous_figures(const std::string& test, const std::string& run_id) const {
  std::vector<json> latest = earlier_figures(test, run_id, 1);
  return latest.empty() ? json(nullptr) : std::move(latest.front());
}

std::vector<json> History::earlier_figures(const std::string& test, const std::string& run_id,
                                           int limit) const {
  // Runs begun before this one; when this run is not recorded, the latest at all.
  const std::string sql =
      "SELECT t.run_id FROM test_results t JOIN runs r ON r.run_id = t.run_id "
      "WHERE t.test = ?1 AND t.run_id <> ?2 AND r.seq < "
      "COALESCE((SELECT seq FROM runs WHERE run_id = ?2), 9223372036854775807) "
      "ORDER BY r.seq DESC LIMIT " +
      std::to_string(std::max(limit, 0));
  SqliteStatement query(connection_->database, sql.c_str());
  query.bind(1, test).bind(2, run_id);
  std::vector<std::string> run_ids;
  while (query.step()) run_ids.push_back(query.text(0));
  std::vector<json> runs;
  for (const std::string& id : run_ids) runs.push_back(run_figures(test, id));
  return runs;
}

json History::baseline_figures(const std::string& test) const {
  const auto baseline = baseline_run();
  return baseline ? run_figures(test, *baseline) : json(nullptr);
}

std::string History::set_baseline(std::optional<std::string> run_id) {
  if (!run_id) run_id = latest_run();
  if (!run_id) throw std::runtime_error("history: no runs recorded yet, so no baseline to set");
  if (!single_text(connection_->database, "SELECT run_id FROM runs WHERE run_id = ?1", *run_id)) {
    throw std::runtime_error("history: no run " + *run_id);
  }
  ImmediateTransaction transaction(connection_->database);
  SqliteStatement(connection_->database,
                  "INSERT OR REPLACE INTO settings(key, value) VALUES('baseline_run', ?1)")
      .bind(1, *run_id)
      .step();
  transaction.commit();
  return *run_id;
}

std::optional<std::string> History::baseline_run() const {
  return single_text(connection_->database,
                     "SELECT value FROM settings WHERE key = 'baseline_run'");
}

std::optional<std::string> History::latest_run() const {
  return single_text(connection_->database, "SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1");
}

std::optional<std::string> History::run_before(const std::string& run_id) const {
  return single_text(connection_->database,
                     "SELECT run_id FROM runs WHERE seq < (SELECT seq FROM runs WHERE run_id = ?1) "
                     "ORDER BY seq DESC LIMIT 1",
                     run_id);
}

std::vector<RunInfo> History::runs() const {
  SqliteStatement query(connection_->database,
                        "SELECT r.run_id, COALESCE(r.git_commit, ''), r.recorded_at, COUNT(t.test) "
                        "FROM runs r LEFT JOIN test_results t ON t.run_id = r.run_id "
                        "GROUP BY r.seq ORDER BY r.seq");
  std::vector<RunInfo> runs;
  while (query.step()) {
    runs.push_back({query.text(0), query.text(1), query.text(2),
                    static_cast<int>(query.number(3).value_or(0))});
  }
  return runs;
}

std::vector<std::string> History::tests_in_run(const std::string& run_id) const {
  SqliteStatement query(connection_->database,
                        "SELECT test FROM test_results WHERE run_id = ?1 ORDER BY test");
  query.bind(1, run_id);
  std::vector<std::string> tests;
  while (query.step()) tests.push_back(query.text(0));
  return tests;
}

std::optional<double> History::baseline_peak(std::string_view test, std::string_view metric) const {
  SqliteStatement query(connection_->database,
                        "SELECT f.peak FROM figures f JOIN settings s ON s.key = 'baseline_run' "
                        "AND s.value = f.run_id WHERE f.test = ?1 AND f.metric = ?2");
  query.bind(1, test).bind(2, metric);
  if (!query.step()) return std::nullopt;
  return query.number(0);
}

std::optional<double> baseline_peak(const std::filesystem::path& history_database,
                                    std::string_view test, std::string_view metric) {
  std::error_code error;
  if (!std::filesystem::exists(history_database, error)) return std::nullopt;
  return History(history_database).baseline_peak(test, metric);
}

void History::record_calibration(const Calibration& calibration) {
  const std::string now = detail::utc_now_iso8601();
  SqliteDatabase& database = connection_->database;
  ImmediateTransaction transaction(database);
  for (const MetricNoise& noise : calibration.metrics) {
    SqliteStatement insert(
        database,
        "INSERT OR REPLACE INTO calibration(test, metric, recorded_at, git_commit, runs, "
        "calibration_runs, false_alarms, errors, slope_min, slope_max, slope_bound, growth_min, "
        "growth_max, peak_min, peak_max) VALUES(?1, ?2, ?3, NULLIF(?4, ''), ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13, ?14, ?15)");
    insert.bind(1, calibration.test).bind(2, noise.metric).bind(3, now);
    insert.bind(4, calibration.git_commit).bind(5, static_cast<double>(noise.runs));
    insert.bind(6, static_cast<double>(calibration.runs));
    insert.bind(7, static_cast<double>(calibration.false_alarms));
    insert.bind(8, static_cast<double>(calibration.errors));
    int index = 9;
    for (const auto& value : {noise.slope_min, noise.slope_max, noise.slope_bound, noise.growth_min,
                              noise.growth_max, noise.peak_min, noise.peak_max})
      insert.bind(index++, value);
    insert.step();
  }
  transaction.commit();
}

std::optional<double> History::calibrated_per_iter(std::string_view test,
                                                   std::string_view metric) const {
  SqliteStatement query(connection_->database,
                        "SELECT slope_bound FROM calibration WHERE test = ?1 AND metric = ?2 "
                        "ORDER BY recorded_at DESC LIMIT 1");
  query.bind(1, test).bind(2, metric);
  if (!query.step()) return std::nullopt;
  const std::optional<double> bound = query.number(0);
  if (!bound) return std::nullopt;
  return *bound * kCalibrationMargin;
}

std::optional<double> calibrated_per_iter(const std::filesystem::path& history_database,
                                          std::string_view test, std::string_view metric) {
  std::error_code error;
  if (!std::filesystem::exists(history_database, error)) return std::nullopt;
  return History(history_database).calibrated_per_iter(test, metric);
}

}  // namespace leakgate::reports
