// A run's figures per metric, computed once from its observations: growth and the
// per-iteration slope with its interval (the judged trend where a per_iter key judged one).
// Budgets' violations, step attribution, known leaks and result.json all read these.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "leakgate/budget_eval.h"

namespace leakgate {

struct MetricFigures {
  std::optional<double> growth;    // final - baseline
  std::optional<double> per_iter;  // the checkpoints' Theil–Sen slope, per iteration
  // Its interval and Mann–Kendall p: the trend evaluate() judged (a sawtooth's troughs), else
  // the series' own (per_iter_trend()). Per iteration either way.
  std::optional<Trend> trend;
};

using Figures = std::map<std::string, MetricFigures>;

// One entry per observed metric; `evaluation` supplies the trends its per_iter keys judged.
Figures figures_of(const Observations& observations, const Evaluation& evaluation);

}  // namespace leakgate
