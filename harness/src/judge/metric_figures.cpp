#include "judge/metric_figures.h"

#include <algorithm>
#include <cmath>

namespace leakgate {

Figures figures_of(const Observations& observations, const Evaluation& evaluation) {
  Figures figures;
  for (const auto& [metric, observation] : observations) {
    MetricFigures& figure = figures[metric];
    if (observation.baseline && observation.final) {
      const double growth = *observation.final - *observation.baseline;
      if (!std::isnan(growth)) figure.growth = growth;
    }
    figure.trend = per_iter_trend(observation);
    if (!figure.trend) continue;
    figure.per_iter = figure.trend->slope;
    const auto judged = std::find_if(evaluation.trends.begin(), evaluation.trends.end(),
                                     [&name = metric](const TrendJudgement& t) { return t.metric == name; });
    if (judged != evaluation.trends.end()) figure.trend = judged->trend;
  }
  return figures;
}

}  // namespace leakgate
