#include "leakgate/budget_eval.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "leakgate/metrics.h"
#include "leakgate/verdict.h"

namespace leakgate {
namespace {

constexpr size_t kMaxSlopePoints = 500;  // 125k pairs: judging stays fast at any iteration count

double median(std::vector<double>& values) {
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2;
}

// The one figure a key judges, when the observation has what it needs.
std::optional<double> judged_figure(std::string_view key, const MetricObservation& observation) {
  if (key == "peak" || key == "regress") return observation.peak;
  if (key == "growth" && observation.baseline && observation.final)
    return *observation.final - *observation.baseline;
  if (key == "per_iter" && observation.checkpoints.size() >= 2)
    return theil_sen_slope(observation.checkpoints);
  if (key == "at_exit") return observation.at_exit;
  return std::nullopt;
}

// "daemon.engines.growth" matches that key only; "daemon.engines" matches any key.
bool matches(const std::string& expected, const Violation& violation) {
  return expected == violation.metric || expected == violation.metric + "." + violation.key;
}

}  // namespace

double theil_sen_slope(const std::vector<double>& ys) {
  std::vector<std::pair<double, double>> points;  // (index, value)
  const size_t stride =
      ys.size() > kMaxSlopePoints ? (ys.size() + kMaxSlopePoints - 1) / kMaxSlopePoints : 1;
  for (size_t i = 0; i < ys.size(); i += stride)
    if (!std::isnan(ys[i])) points.emplace_back(static_cast<double>(i), ys[i]);
  if (points.size() < 2) return 0;
  std::vector<double> slopes;
  slopes.reserve(points.size() * (points.size() - 1) / 2);
  for (size_t i = 0; i < points.size(); ++i)
    for (size_t j = i + 1; j < points.size(); ++j)
      slopes.push_back((points[j].second - points[i].second) / (points[j].first - points[i].first));
  return median(slopes);
}

Budget effective_budget(std::string_view metric,
                        const std::map<std::string, Budget>& scenario_budgets) {
  Budget budget = default_budget(metric);
  const auto found = scenario_budgets.find(std::string(metric));
  if (found == scenario_budgets.end()) return budget;
  for (std::string_view key : kBudgetKeys) {
    const auto member = budget_member(key);
    if (const std::optional<double>& value = found->second.*member) {
      budget.*member = *value;
      if (*value == kBudgetOff) budget.*member = std::nullopt;
    }
  }
  budget.where = found->second.where;
  return budget;
}

Budget effective_budget(std::string_view metric, const Scenario& scenario) {
  return effective_budget(metric, scenario.budgets);
}

Evaluation evaluate(const Observations& metrics,
                    const std::map<std::string, Budget>& effective_budgets,
                    const std::vector<std::string>& expect_violations,
                    const HistoryPeaks& history_peaks) {
  Evaluation evaluation;
  for (const auto& [metric, observation] : metrics) {
    const auto budget = effective_budgets.find(metric);
    if (budget == effective_budgets.end()) continue;
    bool judged = false;
    for (std::string_view key : kBudgetKeys) {
      const std::optional<double> setting = budget->second.*budget_member(key);
      const std::optional<double> figure = judged_figure(key, observation);
      if (!setting || !figure) continue;
      std::optional<double> history_peak;
      double limit = *setting;
      if (key == "regress") {
        const auto history = history_peaks.find(metric);
        if (history == history_peaks.end()) continue;
        history_peak = history->second;
        limit = history->second * (1 + *setting);
      }
      judged = true;
      if (!(*figure > limit)) continue;
      Violation violation{metric, std::string(key), limit, *figure, false, {}};
      violation.message = format_violation(metric, key, limit, *figure, observation,
                                           key == "regress" ? setting : std::nullopt, history_peak);
      evaluation.violations.push_back(std::move(violation));
    }
    if (judged) ++evaluation.metrics_judged;
  }
  for (const std::string& expected : expect_violations) {
    bool observed = false;
    for (Violation& violation : evaluation.violations)
      if (matches(expected, violation)) violation.expected = observed = true;
    if (!observed) evaluation.missing_expected.push_back(expected);
  }
  evaluation.passed = evaluation.missing_expected.empty() &&
                      std::all_of(evaluation.violations.begin(), evaluation.violations.end(),
                                  [](const Violation& violation) { return violation.expected; });
  return evaluation;
}

Evaluation evaluate(const Observations& metrics, const Scenario& scenario,
                    const HistoryPeaks& history_peaks) {
  std::map<std::string, Budget> budgets;
  for (const auto& [metric, observation] : metrics)
    budgets[metric] = effective_budget(metric, scenario);
  return evaluate(metrics, budgets, scenario.expect_violations, history_peaks);
}

}  // namespace leakgate
