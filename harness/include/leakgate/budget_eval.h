// Judging a run: observed figures per metric against effective budgets, and the exact
// set of expected violations. Pure arithmetic; messages come from verdict.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/scenario.h"

namespace leakgate {

// One metric's figures from a run. An absent value was never read: a budget key that needs
// it is "not judged" (NotJudged), an error when the scenario set that key itself.
struct MetricObservation {
  std::optional<double> baseline;   // after warm-up and settle
  std::optional<double> final;      // after the measured iterations and settle
  std::optional<double> peak;       // max sample in the measured phase
  std::optional<double> at_exit;    // after graceful stop (counted kinds)
  std::vector<double> checkpoints;  // value after each measured iteration
  // Iterations between two checkpoints (a long run keeps every n-th): slopes are divided by it.
  int iterations_per_checkpoint = 1;
};

struct Violation {
  std::string metric;     // "daemon.engines"
  std::string key;        // "growth" (a kBudgetKeys entry)
  double limit = 0;       // the budget (for regress: history peak * (1 + regress))
  double observed = 0;    // the figure judged (growth, slope, peak, at-exit value)
  bool expected = false;  // listed in expect_violations
  std::string message;    // "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)"
};

// A budget key that could not be judged because its figure was never read.
struct NotJudged {
  std::string metric;            // "daemon.engines"
  std::string key;               // "growth" (a kBudgetKeys entry)
  std::string reason;            // "scrape of /nometrics failed: HTTP 404"
  bool explicit_budget = false;  // the scenario set this key: the test fails
};

// The trend of a series against its index: the Theil–Sen slope, the lower and upper bounds of
// its confidence interval (Sen 1968: the order statistics of the pairwise slopes given by the
// Mann–Kendall variance) and the one-sided Mann–Kendall p-value of an upward trend (ties
// corrected, normal approximation with continuity correction).
struct Trend {
  double slope = 0;
  double slope_lower = 0;  // at the confidence of `z` (kTrendZ: 99.9 %, one-sided)
  double slope_upper = 0;  // the same, upper: together a two-sided kTrendConfidence interval
  double p_value = 1;
  size_t points = 0;  // non-NaN points used (an evenly spaced subset above 500)
  // A sawtooth (scenario/sawtooth.h): the trend of its troughs, after this many collections.
  size_t collections = 0;
};
inline constexpr double kTrendZ = 3.09;       // one-sided 0.1 %
inline constexpr double kTrendAlpha = 0.001;  // the Mann–Kendall p a trend must be below
// The two-sided level of [slope_lower, slope_upper] at kTrendZ, as verdicts state it.
inline constexpr double kTrendConfidence = 0.998;

// The trend of ys; fewer than two points give slope 0 and p 1. With few points the bounds are
// the lowest and highest pairwise slopes: every pair must rise by more than a limit to exceed
// it, and none may rise by more than a limit to be below it.
Trend trend_of(const std::vector<double>& ys, double z = kTrendZ);

// The per-iteration trend of an observation's checkpoints: trend_of() divided by
// iterations_per_checkpoint (a long run keeps every n-th checkpoint). Below two checkpoints,
// none. The one place a metric's slope is computed: the judge's figures and evaluate() read it.
std::optional<Trend> per_iter_trend(const MetricObservation& observation);

// A judged per_iter key with its trend (its confidence), for result.json and the page.
struct TrendJudgement {
  std::string metric;
  Trend trend;
};

struct Evaluation {
  std::vector<Violation> violations;          // by metric name, then kBudgetKeys order
  std::vector<std::string> missing_expected;  // expect_violations entries not observed
  std::vector<NotJudged> not_judged;          // by metric name, then kBudgetKeys order
  bool passed = true;      // violated budgets == expected exactly (bare metric = any of its keys)
                           // and no explicit budget key went unjudged
  int metrics_judged = 0;  // metrics with at least one budget key and one observed figure
  std::vector<TrendJudgement> trends;     // every judged per_iter key, by metric name
  std::map<std::string, Budget> budgets;  // the effective budget each metric was judged by
};

// Evaluation::passed from the rest: every violation expected, none missing, no explicit budget
// key unjudged (known leaks remove violations and ask again: harness/src/judge/known_leaks.h).
bool evaluation_passed(const Evaluation& evaluation);

// Why figures were never read, for the reasons of NotJudged entries (the runner fills it
// from its sources: unread_reasons() in harness/src/judge/unread_reasons.h).
struct UnreadReasons {
  std::map<std::string, std::string> metrics;  // metric -> why no source read it
  std::optional<std::string> daemon_at_exit;   // the daemon's at-exit counters mean nothing
                                               // (RunRecord::at_exit_unmeasured)
  std::optional<std::string> client_at_exit;   // the same for the harness's own kinds
};

// The reason of a `per_iter: auto` budget (kBudgetAuto) left without a calibrated bound.
inline constexpr std::string_view kNoCalibration = "no calibration; run leakgate calibrate";

using Observations = std::map<std::string, MetricObservation>;
using HistoryPeaks = std::map<std::string, double>;  // metric -> baseline peak from history

// Robust slope of ys against their index: the median of all pairwise slopes (Theil–Sen),
// so one outlier sample cannot fake or hide a trend. NaN points are skipped; fewer than two
// points give 0. Above 500 points an evenly spaced subset is used (the pair count is n²/2).
// Per checkpoint, not per iteration: a metric's figure is per_iter_trend()'s.
double theil_sen_slope(const std::vector<double>& ys);

// The scenario's budget for `metric` merged key by key over default_budget(metric);
// keys the scenario set to kBudgetOff (`none`) come out unset. `where` is the scenario's.
Budget effective_budget(std::string_view metric,
                        const std::map<std::string, Budget>& scenario_budgets);
Budget effective_budget(std::string_view metric, const Scenario& scenario);

// Judges each metric of `metrics` that has an entry in `effective_budgets`:
//   peak:     observed peak > limit
//   growth:   final - baseline > limit
//   per_iter: theil_sen_slope(checkpoints) > limit (needs two checkpoints); for metrics
//             judged by trend (per_iter_by_trend(): rss, pss) the Mann–Kendall p < kTrendAlpha
//             and the lower confidence bound of the slope > limit (trend_of()), so noise,
//             steps and warm caches stay quiet (and fewer than 8 checkpoints never fail)
//   at_exit:  at-exit value > limit
//   regress:  peak > history_peaks[metric] * (1 + regress) (needs a history peak)
// A limit still kBudgetAuto (per_iter: auto without a calibration) is an explicit NotJudged
// entry with the reason kNoCalibration: the test fails, it never passes silently.
// A key whose figure is missing becomes a NotJudged entry with the reason from `unread`;
// `explicit_keys` ("daemon.engines.growth") are the keys the scenario set itself: those
// fail the test. A regress key without a history peak is listed, never explicit.
Evaluation evaluate(const Observations& metrics,
                    const std::map<std::string, Budget>& effective_budgets,
                    const std::vector<std::string>& expect_violations,
                    const HistoryPeaks& history_peaks = {}, const UnreadReasons& unread = {},
                    const std::vector<std::string>& explicit_keys = {});

// The same with effective_budget(metric, scenario) for every metric of `metrics`, every
// built-in metric with a default budget (so a default on a figure never read is listed as
// not judged) and every metric the scenario budgets; the keys set in scenario.budgets are
// the explicit ones.
Evaluation evaluate(const Observations& metrics, const Scenario& scenario,
                    const HistoryPeaks& history_peaks = {}, const UnreadReasons& unread = {});

}  // namespace leakgate
