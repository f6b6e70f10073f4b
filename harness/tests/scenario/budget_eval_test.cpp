#include "leakgate/budget_eval.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <random>

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
  EXPECT_EQ(e.violations[0].message,
            "daemon.heap per_iter +1.0 KiB/iter (99.8% CI +1.0 KiB..+1.0 KiB, p<0.001) > "
            "512 B/iter (judged by the lower bound)");
}

// Heaps that breathe (issue 23). A garbage collector's heap: +3 KiB per iteration, then a
// collection every 28 iterations that frees what the cycles held (`keep` bytes survive each).
std::vector<double> sawtooth(int n, double keep_per_iter) {
  std::vector<double> ys;
  double garbage = 0;
  for (int i = 0; i < n; ++i) {
    if (i > 0 && i % 28 == 0) garbage = 0;
    ys.push_back(20e6 + keep_per_iter * i + garbage + (i % 3) * 64);
    garbage += 3 * 1024;
  }
  return ys;
}

MetricObservation heap_of(const std::vector<double>& ys) {
  MetricObservation heap = counted(ys.front(), ys.back(), ys.back());
  heap.checkpoints = ys;
  return heap;
}

TEST(Evaluate, OneCollectionInFortyIterationsIsNotJudgedNotFailed) {
  const Evaluation e = evaluate({{"daemon.heap", heap_of(sawtooth(40, 0))}}, Scenario{});
  EXPECT_TRUE(e.violations.empty());
  EXPECT_TRUE(e.passed);
  const auto entry = std::find_if(e.not_judged.begin(), e.not_judged.end(), [](const auto& n) {
    return n.metric == "daemon.heap" && n.key == "per_iter";
  });
  ASSERT_NE(entry, e.not_judged.end());
  EXPECT_NE(entry->reason.find("1 collection(s) in 40 checkpoints"), std::string::npos)
      << entry->reason;
}

TEST(Evaluate, ACleanSawtoothIsJudgedOnItsTroughsAndPasses) {
  const Evaluation e = evaluate({{"daemon.heap", heap_of(sawtooth(100, 0))}}, Scenario{});
  EXPECT_TRUE(e.violations.empty());
  ASSERT_EQ(e.trends.size(), 1u);
  EXPECT_EQ(e.trends[0].trend.collections, 3u);
}

TEST(Evaluate, TwoKiBSurvivingEachIterationOfASawtoothIsCaught) {
  const Evaluation e = evaluate({{"daemon.heap", heap_of(sawtooth(100, 2048))}}, Scenario{});
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].message,
            "daemon.heap per_iter +2.0 KiB/iter (troughs after 3 collections: +2.0 KiB..+2.0 "
            "KiB) > 512 B/iter (judged on what survives collection)");
}

// The exact heap is judged by the bound of its interval too: a slope whose interval holds
// zero is no leak, however steep the point slope.
TEST(Evaluate, AnExactHeapSlopeWhoseIntervalHoldsZeroPasses) {
  std::vector<double> ys;
  for (int i = 0; i < 40; ++i) ys.push_back(10e6 + 700.0 * i + ((i * 7919) % 41 - 20) * 1500.0);
  const Trend t = trend_of(ys);
  ASSERT_GT(t.slope, 512);  // the point slope alone would fail
  ASSERT_LT(t.slope_lower, 512);
  const Evaluation e = evaluate({{"daemon.heap", heap_of(ys)}}, Scenario{});
  EXPECT_TRUE(e.violations.empty()) << e.violations[0].message;
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

TEST(Evaluate, UnreadFiguresUnderDefaultBudgetsAreListedNotFailed) {
  MetricObservation nothing;
  MetricObservation only_peak;
  only_peak.peak = 1e12;  // no baseline/final: growth not judged
  const Evaluation e =
      evaluate({{"daemon.engines", nothing}, {"daemon.fds", only_peak}}, Scenario{});
  EXPECT_TRUE(e.passed);
  EXPECT_EQ(e.metrics_judged, 0);
  const auto listed = [&](const std::string& metric, const std::string& key) {
    return std::find_if(e.not_judged.begin(), e.not_judged.end(), [&](const NotJudged& n) {
             return n.metric == metric && n.key == key && !n.explicit_budget;
           }) != e.not_judged.end();
  };
  EXPECT_TRUE(listed("daemon.engines", "growth"));
  EXPECT_TRUE(listed("daemon.engines", "at_exit"));
  EXPECT_TRUE(listed("daemon.fds", "growth"));
  // Built-in figures with a default budget are listed even when absent from the run.
  EXPECT_TRUE(listed("daemon.heap", "per_iter"));
  EXPECT_TRUE(listed("client.rss", "peak"));
  // Counted kinds nobody budgeted or counted are not.
  EXPECT_FALSE(listed("daemon.sessions", "growth"));
}

TEST(Evaluate, AnExplicitBudgetOnAnUnreadFigureFailsWithTheSourcesReason) {
  Budget engines;
  engines.peak = 1;
  engines.growth = 0;
  const Scenario scenario = with_budgets({{"daemon.engines", engines}});
  UnreadReasons unread;
  unread.metrics["daemon.engines"] = "scrape of /nometrics failed: HTTP 404";
  const Evaluation e = evaluate({{"daemon.fds", counted(9, 9, 9)}}, scenario, {}, unread);
  EXPECT_FALSE(e.passed);
  EXPECT_TRUE(e.violations.empty());
  std::vector<std::string> explicit_keys;
  for (const NotJudged& n : e.not_judged) {
    if (n.metric != "daemon.engines") continue;
    if (n.explicit_budget) explicit_keys.push_back(n.key);
    EXPECT_EQ(n.reason, "scrape of /nometrics failed: HTTP 404");
  }
  // The default at_exit key is listed but does not fail.
  EXPECT_EQ(explicit_keys, (std::vector<std::string>{"peak", "growth"}));
}

TEST(Evaluate, AnExplicitBudgetOnAReadFigurePasses) {
  Budget engines;
  engines.peak = 1;
  engines.growth = 0;
  const Evaluation e =
      evaluate({{"daemon.engines", counted(1, 1, 1)}}, with_budgets({{"daemon.engines", engines}}));
  EXPECT_TRUE(e.passed);
  for (const NotJudged& n : e.not_judged) EXPECT_FALSE(n.explicit_budget) << n.metric;
}

TEST(Evaluate, BudgetsSwitchedOffAreNeitherJudgedNorListed) {
  Budget off;
  off.growth = kBudgetOff;
  const Evaluation e = evaluate({}, with_budgets({{"daemon.fds", off}}));
  EXPECT_TRUE(e.passed);
  for (const NotJudged& n : e.not_judged) EXPECT_NE(n.metric, "daemon.fds");
}

TEST(Evaluate, AtExitOfADaemonThatNeverRanItsExitPath) {
  MetricObservation engines = counted(1, 1, 1);
  engines.at_exit = 1;  // a SIGTERM without a handler leaves the counter file as it was
  UnreadReasons unread;
  unread.daemon_at_exit = "stopped by SIGTERM without a handler; at-exit counters not measured";
  // Default at_exit: listed, not judged, not a violation.
  Evaluation e = evaluate({{"daemon.engines", engines}}, Scenario{}, {}, unread);
  EXPECT_TRUE(e.passed);
  EXPECT_TRUE(e.violations.empty());
  bool listed = false;
  for (const NotJudged& n : e.not_judged)
    listed |=
        n.metric == "daemon.engines" && n.key == "at_exit" && n.reason == *unread.daemon_at_exit;
  EXPECT_TRUE(listed);
  // Explicit at_exit: an error.
  Budget b;
  b.at_exit = 0;
  e = evaluate({{"daemon.engines", engines}}, with_budgets({{"daemon.engines", b}}), {}, unread);
  EXPECT_FALSE(e.passed);
  EXPECT_TRUE(e.violations.empty());
  // Without the note the figure is judged as before.
  e = evaluate({{"daemon.engines", engines}}, with_budgets({{"daemon.engines", b}}));
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].key, "at_exit");
}

TEST(Evaluate, ExpectingAViolationOfAnUnreadMetricIsStillMissing) {
  const Evaluation e = evaluate({}, with_budgets({}, {"daemon.engines.growth"}));
  EXPECT_FALSE(e.passed);
  EXPECT_EQ(e.missing_expected, std::vector<std::string>{"daemon.engines.growth"});
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
  EXPECT_EQ(e.violations[2].message,
            "daemon.engines per_iter +1/iter (99.8% CI +1..+1, p<0.001) > 0.5/iter");
  EXPECT_EQ(e.violations[3].message, "daemon.engines at_exit 41 > 0");
  EXPECT_EQ(e.violations[4].message, "daemon.engines regress peak 41 > 22 (history peak 20 +10%)");
  EXPECT_EQ(e.violations[4].limit, 22);
}

TEST(Evaluate, RegressWithoutHistoryIsListedNeverAnError) {
  Budget b;
  b.regress = 0.1;
  Evaluation e = evaluate({{"daemon.rss", counted(1, 1, 1e9)}}, {{"daemon.rss", b}}, {});
  EXPECT_TRUE(e.passed);
  ASSERT_EQ(e.not_judged.size(), 1u);
  EXPECT_EQ(e.not_judged[0].reason, "no history baseline yet");
  MetricObservation rss = counted(1, 1, 1e6);
  e = evaluate({{"daemon.rss", rss}}, with_budgets({{"daemon.rss", b}}));
  EXPECT_TRUE(e.passed);
  for (const NotJudged& n : e.not_judged)
    if (n.metric == "daemon.rss") EXPECT_FALSE(n.explicit_budget);
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

// Synthetic RSS series: page-granular values with a page or two of noise either way.
std::vector<double> rss_series(size_t n, double slope, uint32_t seed,
                               double (*shape)(size_t, double) = nullptr) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> pages(-2, 2);
  std::vector<double> ys;
  for (size_t i = 0; i < n; ++i) {
    const double base = shape ? shape(i, slope) : slope * static_cast<double>(i);
    const double value = 40e6 + base + 4096.0 * pages(random);
    ys.push_back(std::floor(value / 4096) * 4096);
  }
  return ys;
}

constexpr double kKiB = 1024;
// What evaluate() does with a per_iter judged by trend: significant, and lower bound > limit.
bool trend_alarm(const std::vector<double>& ys, double limit = kRssPerIterWithoutHeap) {
  const Trend t = trend_of(ys);
  return t.p_value < kTrendAlpha && t.slope_lower > limit;
}

TEST(Trend, EdgeCases) {
  EXPECT_EQ(trend_of({}).slope, 0);
  EXPECT_EQ(trend_of({}).p_value, 1);
  EXPECT_EQ(trend_of({7}).points, 1u);
  const Trend flat = trend_of(std::vector<double>(30, 5.0));
  EXPECT_EQ(flat.slope, 0);
  EXPECT_EQ(flat.slope_lower, 0);
  EXPECT_EQ(flat.p_value, 1);
  // Two points: the bound is the one slope.
  EXPECT_DOUBLE_EQ(trend_of({0, 10}).slope_lower, 10);
  const Trend rising = trend_of(line(40, 0, 1));
  EXPECT_DOUBLE_EQ(rising.slope, 1);
  EXPECT_DOUBLE_EQ(rising.slope_lower, 1);
  EXPECT_DOUBLE_EQ(rising.slope_upper, 1);
  EXPECT_DOUBLE_EQ(trend_of({0, 10}).slope_upper, 10);
  EXPECT_EQ(flat.slope_upper, 0);
  EXPECT_LT(rising.p_value, 1e-9);
  EXPECT_GT(trend_of(line(40, 0, -1)).p_value, 0.999);
}

TEST(Trend, SteadySixteenKiBPerIterationWithPageNoiseIsCaught) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    const auto ys = rss_series(100, 16 * kKiB, seed);
    const Trend t = trend_of(ys);
    EXPECT_GT(t.slope_lower, kRssPerIterWithoutHeap) << "seed " << seed;
    EXPECT_LT(t.p_value, 1e-6);
    // Already within 20 iterations.
    EXPECT_TRUE(trend_alarm(std::vector<double>(ys.begin(), ys.begin() + 20))) << seed;
  }
}

TEST(Trend, FlatSeriesWithNoiseStayQuiet) {
  int alarms = 0;
  for (uint32_t seed = 0; seed < 500; ++seed) alarms += trend_alarm(rss_series(100, 0, seed));
  EXPECT_EQ(alarms, 0);
  // Noise of a quarter MiB either way (the old sawtooth case) is no trend either.
  std::vector<double> sawtooth;
  for (int i = 0; i < 40; ++i) sawtooth.push_back(40e6 + (i % 5) * 300e3);
  EXPECT_FALSE(trend_alarm(sawtooth));
}

TEST(Trend, StepsOneOffJumpsAndWarmCachesStayQuiet) {
  for (uint32_t seed = 0; seed < 100; ++seed) {
    // One step of 1 MiB halfway (a new arena, a cache filled once): the point estimate of the
    // slope is ~10 KiB/iteration, its lower bound is noise.
    EXPECT_FALSE(trend_alarm(rss_series(100, 0, seed, [](size_t i, double) {
      return i >= 50 ? 1024.0 * 1024 : 0.0;
    }))) << seed;
    // A step in the first quarter (a late first use).
    EXPECT_FALSE(trend_alarm(rss_series(100, 0, seed, [](size_t i, double) {
      return i >= 20 ? 2.0 * 1024 * 1024 : 0.0;
    }))) << seed;
    // One-off jumps that come back.
    auto spiky = rss_series(100, 0, seed);
    spiky[20] += 8e6;
    spiky[70] += 3e6;
    EXPECT_FALSE(trend_alarm(spiky)) << seed;
    // A warm cache: 100 KiB per iteration for 10 iterations, then flat.
    EXPECT_FALSE(trend_alarm(rss_series(100, 0, seed, [](size_t i, double) {
      return 100.0 * 1024 * static_cast<double>(std::min<size_t>(i, 10));
    }))) << seed;
  }
}

// Steps spread evenly over the run are indistinguishable from a leak seen through an
// allocator's granularity: two steps of 512 KiB at a third and two thirds already read as growth.
TEST(Trend, StepsEveryFewIterationsAreSteadyGrowth) {
  // A 16 KiB/iteration leak seen through an allocator that maps 128 KiB at a time.
  std::vector<double> ys;
  for (int i = 0; i < 100; ++i) ys.push_back(40e6 + 128.0 * 1024 * (i / 8));
  EXPECT_TRUE(trend_alarm(ys));
}

TEST(Trend, TooFewCheckpointsNeverFail) {
  // Seven points rising 1 MiB each: Mann–Kendall cannot reach p < 0.001 with so few.
  const auto seven = line(7, 40e6, 1024.0 * 1024);
  EXPECT_GT(trend_of(seven).p_value, kTrendAlpha);
  EXPECT_FALSE(trend_alarm(seven));
  EXPECT_TRUE(trend_alarm(line(8, 40e6, 1024.0 * 1024)));
  MetricObservation rss;
  rss.checkpoints = seven;
  EXPECT_TRUE(evaluate({{"daemon.rss", rss}}, Scenario{}).violations.empty());
}

TEST(Evaluate, RssPerIterFloorDependsOnAnExactHeapFigure) {
  MetricObservation rss = counted(40e6, 40e6 + 99 * 16 * kKiB, 40e6 + 99 * 16 * kKiB);
  rss.checkpoints = rss_series(100, 16 * kKiB, 1);
  // No heap figure: RSS is the only memory figure, judged against kRssPerIterWithoutHeap.
  Evaluation e = evaluate({{"daemon.rss", rss}}, Scenario{});
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].key, "per_iter");
  EXPECT_EQ(e.violations[0].limit, kRssPerIterWithoutHeap);
  EXPECT_NE(e.violations[0].message.find("(judged by the lower bound)"), std::string::npos);
  ASSERT_EQ(e.trends.size(), 1u);
  EXPECT_LT(e.trends[0].trend.p_value, 1e-6);
  // Beside an exact heap figure the default stays 64 KiB.
  MetricObservation heap = counted(1e6, 1e6, 1e6);
  heap.checkpoints = std::vector<double>(100, 1e6);
  e = evaluate({{"daemon.rss", rss}, {"daemon.heap", heap}}, Scenario{});
  EXPECT_TRUE(e.passed);
  EXPECT_EQ(e.budgets.at("daemon.rss").per_iter, 64 * kKiB);
  // A per_iter the scenario sets is kept either way.
  Budget b;
  b.per_iter = 32 * kKiB;
  e = evaluate({{"daemon.rss", rss}}, with_budgets({{"daemon.rss", b}}));
  EXPECT_TRUE(e.passed);
  // Clean: flat RSS without a heap figure passes.
  rss.checkpoints = rss_series(100, 0, 1);
  rss.final = rss.baseline;
  EXPECT_TRUE(evaluate({{"daemon.rss", rss}}, Scenario{}).passed);
}

TEST(Evaluate, PerIterAutoWithoutCalibrationIsNotJudgedAndFails) {
  Budget b;
  b.per_iter = kBudgetAuto;
  MetricObservation rss = counted(1e6, 1e6, 1e6);
  rss.checkpoints = std::vector<double>(20, 1e6);
  const Evaluation e =
      evaluate({{"daemon.rss", rss}}, {{"daemon.rss", b}}, {}, {}, {}, {"daemon.rss.per_iter"});
  EXPECT_FALSE(e.passed);
  ASSERT_EQ(e.not_judged.size(), 1u);
  EXPECT_EQ(e.not_judged[0].reason, "no calibration; run leakgate calibrate");
  EXPECT_TRUE(e.not_judged[0].explicit_budget);
  // The same budget with a calibrated bound is judged (and passes on a flat series).
  b.per_iter = 4096;
  EXPECT_TRUE(evaluate({{"daemon.rss", rss}}, {{"daemon.rss", b}}, {}).passed);
}

TEST(Trend, TheIntervalBracketsTheSlopeAndNarrowsWithPoints) {
  // A slope of 1/iter under uniform noise of +-0.5: the interval holds the slope, and a longer
  // run gives a narrower one.
  uint32_t seed = 7;
  std::vector<double> ys;
  for (int i = 0; i < 40; ++i) {
    seed = seed * 1103515245u + 12345u;
    ys.push_back(i + static_cast<double>(seed % (1u << 31)) / (1u << 31) - 0.5);
  }
  const Trend few = trend_of(std::vector<double>(ys.begin(), ys.begin() + 10));
  const Trend many = trend_of(ys);
  for (const Trend& t : {few, many}) {
    EXPECT_LE(t.slope_lower, t.slope);
    EXPECT_GE(t.slope_upper, t.slope);
    EXPECT_LT(t.slope_lower, t.slope_upper);
  }
  EXPECT_LT(many.slope_upper - many.slope_lower, few.slope_upper - few.slope_lower);
  EXPECT_GT(many.slope_lower, 0.95);
  EXPECT_LT(many.slope_upper, 1.05);
}

}  // namespace
}  // namespace leakgate
