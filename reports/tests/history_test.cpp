// The history database with a real SQLite file: previous run, baseline, compare.
#include <gtest/gtest.h>

#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/compare.h"
#include "leakgate/reports/history.h"
#include "leakgate/reports/publish.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

// The failing fixture with its engines leak made worse by `extra` engines.
json engines_leak(double extra) {
  json result = load_fixture("failing-engines-leak");
  auto& engines = result["metrics"]["daemon.engines"];
  engines["peak"] = engines["peak"].get<double>() + extra;
  engines["final"] = engines["final"].get<double>() + extra;
  engines["growth"] = engines["growth"].get<double>() + extra;
  return result;
}

TEST(History, SecondRunPageShowsTheChangeAgainstThePrevious) {
  const TemporaryDirectory directory;
  const auto database = directory.path() / "history.db";
  publish_test_result(directory.path(), engines_leak(0), {"run-1", database});
  publish_test_result(directory.path(), engines_leak(10), {"run-2", database});

  const json written = json::parse(read_text_file(directory.path() / "leak.sync-loop/result.json"));
  EXPECT_EQ(written["history"]["run_id"], "run-2");
  EXPECT_EQ(written["history"]["previous"]["run_id"], "run-1");
  EXPECT_EQ(written["history"]["previous"]["metrics"]["daemon.engines"]["peak"], 40);
  EXPECT_TRUE(written["history"]["baseline"].is_null());

  const std::string page = read_text_file(directory.path() / "leak.sync-loop/index.html");
  EXPECT_NE(page.find("<strong>previous:</strong> run run-1"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">40 <span class=\"delta worse\">+10 (+25%)</span></td>"),
            std::string::npos);
}

TEST(History, CalibrationGivesTheAutoPerIterBound) {
  const TemporaryDirectory directory;
  const auto database = directory.path() / "history.db";
  EXPECT_FALSE(calibrated_per_iter(database, "leak.x", "daemon.rss"));  // no database yet
  Calibration calibration;
  calibration.test = "leak.x";
  calibration.runs = 20;
  MetricNoise rss;
  rss.metric = "daemon.rss";
  rss.runs = 20;
  rss.slope_min = -1024;
  rss.slope_max = 4096;
  rss.slope_bound = 8192;
  MetricNoise orphans;  // no per_iter slope: no bound
  orphans.metric = "daemon.orphans";
  calibration.metrics = {rss, orphans};
  History(database).record_calibration(calibration);
  EXPECT_EQ(calibrated_per_iter(database, "leak.x", "daemon.rss"), 8192 * kCalibrationMargin);
  EXPECT_FALSE(calibrated_per_iter(database, "leak.x", "daemon.orphans"));
  EXPECT_FALSE(calibrated_per_iter(database, "leak.y", "daemon.rss"));
}

TEST(History, RerunningATestInTheSameRunReplacesItsFigures) {
  const TemporaryDirectory directory;
  History history(directory.path() / "history.db");
  history.record("run-1", engines_leak(0));
  history.record("run-1", engines_leak(5));
  EXPECT_EQ(history.runs().size(), 1u);
  EXPECT_EQ(history.run_figures("leak.sync-loop", "run-1")["metrics"]["daemon.engines"]["peak"],
            45);
  EXPECT_TRUE(history.previous_figures("leak.sync-loop", "run-1").is_null());
}

TEST(History, BaselineAndCompare) {
  const TemporaryDirectory directory;
  const auto database = directory.path() / "history.db";
  EXPECT_EQ(baseline_peak(database, "leak.sync-loop", "daemon.engines"), std::nullopt);
  {
    History history(database);
    history.record("run-1", engines_leak(0));
    EXPECT_EQ(history.set_baseline(std::nullopt), "run-1");
    history.record("run-2", engines_leak(10));
    history.record("run-3", engines_leak(-5));
    EXPECT_THROW(history.set_baseline("no-such-run"), std::runtime_error);
    EXPECT_EQ(history.baseline_run(), "run-1");
    EXPECT_EQ(history.latest_run(), "run-3");
    EXPECT_EQ(history.run_before("run-3"), "run-2");
    EXPECT_EQ(history.baseline_figures("leak.sync-loop")["run_id"], "run-1");
    EXPECT_EQ(history.previous_figures("leak.sync-loop", "run-3")["run_id"], "run-2");

    const auto grown = find_growth(history, "run-2", "run-1");
    ASSERT_FALSE(grown.empty());
    EXPECT_EQ(grown.front().metric, "daemon.engines");
    EXPECT_EQ(grown.front().after - grown.front().before, 10);
    EXPECT_NE(format_growth_table(grown).find("daemon.engines"), std::string::npos);
    EXPECT_TRUE(find_growth(history, "run-3", "run-1").empty());
  }
  EXPECT_EQ(baseline_peak(database, "leak.sync-loop", "daemon.engines"), 40);
  EXPECT_EQ(baseline_peak(database, "leak.sync-loop", "daemon.unknown"), std::nullopt);
}

TEST(History, RunIdAndPathFromTheEnvironment) {
  ::setenv("LEAKGATE_RUN_ID", "suite-42", 1);
  EXPECT_EQ(current_run_id(), "suite-42");
  ::unsetenv("LEAKGATE_RUN_ID");
  EXPECT_NE(current_run_id(), current_run_id()) << "a test alone is a run of its own";
  ::setenv("LEAKGATE_HISTORY", "/somewhere/h.db", 1);
  EXPECT_EQ(history_path_for("/reports"), "/somewhere/h.db");
  ::unsetenv("LEAKGATE_HISTORY");
  EXPECT_EQ(history_path_for("/reports"), "/reports/history.db");
}

}  // namespace
}  // namespace leakgate::reports::testing
