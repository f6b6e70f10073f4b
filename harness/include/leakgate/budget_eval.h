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

// One metric's figures from a run. An absent value was never sampled: it is not judged
// (and is not a violation).
struct MetricObservation {
  std::optional<double> baseline;   // after warm-up and settle
  std::optional<double> final;      // after the measured iterations and settle
  std::optional<double> peak;       // max sample in the measured phase
  std::optional<double> at_exit;    // after graceful stop (counted kinds)
  std::vector<double> checkpoints;  // value after each measured iteration
};

struct Violation {
  std::string metric;     // "daemon.engines"
  std::string key;        // "growth" (a kBudgetKeys entry)
  double limit = 0;       // the budget (for regress: history peak * (1 + regress))
  double observed = 0;    // the figure judged (growth, slope, peak, at-exit value)
  bool expected = false;  // listed in expect_violations
  std::string message;    // "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)"
};

struct Evaluation {
  std::vector<Violation> violations;          // by metric name, then kBudgetKeys order
  std::vector<std::string> missing_expected;  // expect_violations entries not observed
  bool passed = true;      // violated budgets == expected exactly (bare metric = any of its keys)
  int metrics_judged = 0;  // metrics with at least one budget key and one observed figure
};

using Observations = std::map<std::string, MetricObservation>;
using HistoryPeaks = std::map<std::string, double>;  // metric -> baseline peak from history

// Robust slope of ys against their index: the median of all pairwise slopes (Theil–Sen),
// so one outlier sample cannot fake or hide a trend. NaN points are skipped; fewer than two
// points give 0. Above 500 points an evenly spaced subset is used (the pair count is n²/2).
double theil_sen_slope(const std::vector<double>& ys);

// The scenario's budget for `metric` merged key by key over default_budget(metric);
// keys the scenario set to kBudgetOff (`none`) come out unset. `where` is the scenario's.
Budget effective_budget(std::string_view metric,
                        const std::map<std::string, Budget>& scenario_budgets);
Budget effective_budget(std::string_view metric, const Scenario& scenario);

// Judges each observed metric that has an entry in `effective_budgets`:
//   peak:     observed peak > limit
//   growth:   final - baseline > limit
//   per_iter: theil_sen_slope(checkpoints) > limit (needs two checkpoints)
//   at_exit:  at-exit value > limit
//   regress:  peak > history_peaks[metric] * (1 + regress) (needs a history peak)
Evaluation evaluate(const Observations& metrics,
                    const std::map<std::string, Budget>& effective_budgets,
                    const std::vector<std::string>& expect_violations,
                    const HistoryPeaks& history_peaks = {});

// The same with effective_budget(metric, scenario) for every observed metric and the
// scenario's expect_violations.
Evaluation evaluate(const Observations& metrics, const Scenario& scenario,
                    const HistoryPeaks& history_peaks = {});

}  // namespace leakgate
