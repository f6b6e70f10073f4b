#include "leakgate/budget_eval.h"

#include <gtest/gtest.h>

#include <cmath>

#include "leakgate/metrics.h"

namespace leakgate {
namespace {

MetricObservation counted(double baseline, double final, double peak) {
  MetricObservation o;
  o.baseline = baseline;
  o.final = final;
  o.peak = peak;
  return o;
}

std::vector<double> line(size_t n, double start, double slope) {
  std::vector<double> ys;
  for (size_t i = 0; i < n; ++i) ys.push_back(start + slope * static_cast<double>(i));
  return ys;
}

Scenario with_budgets(std::map<std::string, Budget> budgets,
                      std::vector<std::string> expected = {}) {
  Scenario scenario;
  scenario.budgets = std::move(budgets);
  scenario.expect_violations = std::move(expected);
  return scenario;
}

TEST(TheilSen, ExactOnALineAndRobustToOutliers) {
  EXPECT_EQ(theil_sen_slope({}), 0);
  EXPECT_EQ(theil_sen_slope({5}), 0);
  EXPECT_DOUBLE_EQ(theil_sen_slope({1, 3}), 2);
  EXPECT_DOUBLE_EQ(theil_sen_slope(line(50, 100, 1024)), 1024);
  std::vector<double> spiky = line(20, 10, 0);
  spiky[7] = 1e9;  // one GC-like spike: no trend
  spiky[13] = -1e9;
  EXPECT_DOUBLE_EQ(theil_sen_slope(spiky), 0);
  EXPECT_DOUBLE_EQ(theil_sen_slope({0, 1, 2, 3}), 1);
  EXPECT_DOUBLE_EQ(theil_sen_slope({0, NAN, 2, 3}), 1);
  // Slopes 0 0 1/3 1/2 1/2 1: an even count takes the mean of the middle two.
  EXPECT_DOUBLE_EQ(theil_sen_slope({0, 0, 1, 1}), (1.0 / 3 + 0.5) / 2);
}

TEST(TheilSen, LongSeriesAreThinned) { EXPECT_NEAR(theil_sen_slope(line(100000, 0, 3)), 3, 1e-9); }

TEST(EffectiveBudget, ScenarioOverridesDefaultPerKey) {
  Budget rss;
  rss.peak = 64.0 * 1024 * 1024;
  Budget heap;
  heap.growth = kBudgetOff;
  const Scenario scenario = with_budgets({{"daemon.rss", rss}, {"daemon.heap", heap}});
  const Budget merged = effective_budget("daemon.rss", scenario);
  EXPECT_EQ(merged.peak, 64.0 * 1024 * 1024);
  EXPECT_EQ(merged.per_iter, 64 * 1024);  // default kept
  const Budget heap_merged = effective_budget("daemon.heap", scenario);
  EXPECT_FALSE(heap_merged.growth);  // `none` turns the default off
  EXPECT_EQ(heap_merged.per_iter, 512);
  EXPECT_EQ(effective_budget("daemon.engines", scenario).at_exit, 0);
}

// The defaults must catch the leaks the design names, and stay quiet on clean runs.
TEST(Evaluate, DefaultsCatchOneFdPerIterationOverTenIterations) {
  MetricObservation fds = counted(12, 22, 22);
  fds.checkpoints = line(10, 13, 1);
  const Evaluation e = evaluate({{"daemon.fds", fds}}, Scenario{});
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].key, "growth");
  EXPECT_EQ(e.violations[0].observed, 10);
  EXPECT_FALSE(e.passed);
}

TEST(Evaluate, DefaultsCatchOneLeakedSessionInOneIteration) {
  const Evaluation e = evaluate({{"client.sessions", counted(1, 2, 2)}}, Scenario{});
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].message, "client.sessions growth +1 > 0 (baseline 1, final 2, peak 2)");
}

TEST(Evaluate, DefaultsCatchOneKiBPerIterationHeapGrowthInFiftyIterations) {
  MetricObservation heap = counted(10e6, 10e6 + 50 * 1024, 10e6 + 50 * 1024);
  heap.checkpoints = line(50, 10e6, 1024);
  const Evaluation e = evaluate({{"daemon.heap", heap}}, Scenario{});
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].key, "per_iter");
  EXPECT_EQ(e.violations[0].message, "daemon.heap per_iter +1.0 KiB/iter > 512 B/iter");
}

TEST(Evaluate, DefaultsAreQuietOnACleanNoisyRun) {
  MetricObservation rss = counted(40e6, 40.2e6, 41e6);
  for (int i = 0; i < 50; ++i)
    rss.checkpoints.push_back(40e6 + (i % 5) * 300e3);  // noise, no trend
  MetricObservation engines = counted(1, 1, 1);
  engines.at_exit = 0;
  const Evaluation e = evaluate(
      {{"daemon.rss", rss}, {"daemon.engines", engines}, {"daemon.fds", counted(9, 9, 11)}},
      Scenario{});
  EXPECT_TRUE(e.violations.empty());
  EXPECT_TRUE(e.passed);
  EXPECT_EQ(e.metrics_judged, 3);
}

TEST(Evaluate, UnsampledFiguresAreNotJudged) {
  MetricObservation nothing;
  MetricObservation only_peak;
  only_peak.peak = 1e12;  // no baseline/final: growth not judged; rss peak is
  const Evaluation e =
      evaluate({{"daemon.engines", nothing}, {"daemon.fds", only_peak}}, Scenario{});
  EXPECT_TRUE(e.passed);
  EXPECT_EQ(e.metrics_judged, 0);
}

TEST(Evaluate, EveryKey) {
  Budget b;
  b.peak = 1;
  b.growth = 0;
  b.per_iter = 0.5;
  b.at_exit = 0;
  b.regress = 0.10;
  MetricObservation o = counted(1, 41, 41);
  o.checkpoints = line(40, 2, 1);
  o.at_exit = 41;
  const Evaluation e =
      evaluate({{"daemon.engines", o}}, {{"daemon.engines", b}}, {}, {{"daemon.engines", 20}});
  ASSERT_EQ(e.violations.size(), 5u);
  EXPECT_EQ(e.violations[0].message, "daemon.engines peak 41 > 1 (baseline 1, final 41)");
  EXPECT_EQ(e.violations[1].message,
            "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)");
  EXPECT_EQ(e.violations[2].message, "daemon.engines per_iter +1/iter > 0.5/iter");
  EXPECT_EQ(e.violations[3].message, "daemon.engines at_exit 41 > 0");
  EXPECT_EQ(e.violations[4].message, "daemon.engines regress peak 41 > 22 (history peak 20 +10%)");
  EXPECT_EQ(e.violations[4].limit, 22);
}

TEST(Evaluate, RegressNeedsAHistoryPeak) {
  Budget b;
  b.regress = 0.1;
  const Evaluation e = evaluate({{"daemon.rss", counted(1, 1, 1e9)}}, {{"daemon.rss", b}}, {});
  EXPECT_TRUE(e.passed);
}

TEST(Evaluate, ExpectedViolationsMustMatchExactly) {
  const Observations leak = {{"daemon.engines", counted(1, 41, 41)}};
  // Exactly the expected key: pass, marked expected.
  Evaluation e = evaluate(leak, with_budgets({}, {"daemon.engines.growth"}));
  EXPECT_TRUE(e.passed);
  EXPECT_TRUE(e.violations[0].expected);
  // A bare metric accepts any of its keys.
  EXPECT_TRUE(evaluate(leak, with_budgets({}, {"daemon.engines"})).passed);
  // Expected but not observed: fail, listed as missing.
  e = evaluate(leak, with_budgets({}, {"daemon.engines.growth", "client.sessions.peak"}));
  EXPECT_FALSE(e.passed);
  EXPECT_EQ(e.missing_expected, std::vector<std::string>{"client.sessions.peak"});
  // Another key of the metric violated but not expected: fail.
  MetricObservation with_exit = counted(1, 41, 41);
  with_exit.at_exit = 3;
  e = evaluate({{"daemon.engines", with_exit}}, with_budgets({}, {"daemon.engines.growth"}));
  EXPECT_FALSE(e.passed);
  EXPECT_FALSE(e.violations[1].expected);
  // Not expected at all: fail.
  EXPECT_FALSE(evaluate(leak, Scenario{}).passed);
}

TEST(Evaluate, OnlyMetricsWithAnEffectiveBudgetAreJudged) {
  const Evaluation e =
      evaluate({{"daemon.engines", counted(1, 41, 41)}}, std::map<std::string, Budget>{}, {});
  EXPECT_TRUE(e.passed);
}

}  // namespace
}  // namespace leakgate
