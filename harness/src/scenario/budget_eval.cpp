#include "leakgate/budget_eval.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "leakgate/metrics.h"
#include "leakgate/verdict.h"
#include "sawtooth.h"

namespace leakgate {
namespace {

bool is_orphans(const std::string& metric) {
  const auto info = find_metric(metric);
  return info && info->source == MetricSource::kDescendants;
}

constexpr size_t kMaxSlopePoints = 500;  // 125k pairs: judging stays fast at any iteration count

double median(std::vector<double>& values) {
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2;
}

// What survives collection: the trend of a sawtooth's troughs against their checkpoint index.
// So few points have no useful interval: the bounds are the lowest and highest pairwise slopes
// (every pair of troughs must rise by more than a limit to exceed it).
Trend trough_trend(const Sawtooth& saw) {
  Trend trend = trend_of(saw.trough_value);  // its Mann–Kendall p, on the troughs' order
  std::vector<double> slopes;
  for (size_t i = 0; i < saw.trough_value.size(); ++i)
    for (size_t j = i + 1; j < saw.trough_value.size(); ++j)
      slopes.push_back((saw.trough_value[j] - saw.trough_value[i]) /
                       static_cast<double>(saw.trough_index[j] - saw.trough_index[i]));
  trend.slope = median(slopes);
  trend.slope_lower = *std::min_element(slopes.begin(), slopes.end());
  trend.slope_upper = *std::max_element(slopes.begin(), slopes.end());
  trend.collections = saw.collections;
  return trend;
}

// A trend over checkpoints kept every `every` iterations, per iteration.
Trend per_iteration(Trend trend, double every) {
  trend.slope /= every;
  trend.slope_lower /= every;
  trend.slope_upper /= every;
  return trend;
}

// The one figure a key judges, when the observation has what it needs. per_iter of a metric
// judged by trend is the lower confidence bound of the slope (`trend` receives the trend); of
// a sawtooth, the lowest slope between its troughs, or nothing (`why` says so) with fewer
// than kMinTroughs of them.
std::optional<double> judged_figure(std::string_view metric, std::string_view key,
                                    const MetricObservation& observation,
                                    std::optional<Trend>& trend, std::string& why) {
  if (key == "peak" || key == "regress") return observation.peak;
  if (key == "growth" && observation.baseline && observation.final)
    return *observation.final - *observation.baseline;
  if (key == "per_iter" && observation.checkpoints.size() >= 2) {
    if (per_iter_by_trend(metric)) {
      if (const auto saw = find_sawtooth(observation.checkpoints)) {
        if (saw->trough_value.size() < kMinTroughs) {
          why = "it breathes (" + std::to_string(saw->collections) + " collection(s) in " +
                std::to_string(observation.checkpoints.size()) +
                " checkpoints): what survives collection needs " + std::to_string(kMinTroughs) +
                " troughs; run more iterations";
          return std::nullopt;
        }
        trend = per_iteration(trough_trend(*saw), observation.iterations_per_checkpoint);
        return trend->slope_lower;
      }
    }
    trend = per_iter_trend(observation);  // the confidence every per_iter verdict states
    if (!per_iter_by_trend(metric)) return trend->slope;
    // No significant upward trend (too few points, or noise): nothing rises for sure.
    return trend->p_value < kTrendAlpha ? trend->slope_lower : std::min(trend->slope_lower, 0.0);
  }
  if (key == "at_exit") return observation.at_exit;
  return std::nullopt;
}

bool has_any_figure(const MetricObservation& o) {
  return o.baseline || o.final || o.peak || o.at_exit || !o.checkpoints.empty();
}

// Why `key` of `metric` has no figure.
std::string unread_reason(const std::string& metric, std::string_view key,
                          const MetricObservation& observation, const UnreadReasons& unread) {
  const bool daemon = metric.rfind("daemon.", 0) == 0;
  if (key == "at_exit") {
    const auto& side_reason = daemon ? unread.daemon_at_exit : unread.client_at_exit;
    if (side_reason) return *side_reason;
    const auto info = find_metric(metric);
    if (info && info->source != MetricSource::kCounter)
      return "at_exit is read for counted kinds only";
  }
  if (!has_any_figure(observation)) {
    const auto found = unread.metrics.find(metric);
    return found != unread.metrics.end() ? found->second : "never read by any source";
  }
  if (key == "growth") return observation.baseline ? "no final figure" : "no baseline figure";
  if (key == "per_iter")
    return "fewer than 2 per-iteration checkpoints (" +
           std::to_string(observation.checkpoints.size()) + ")";
  if (key == "peak") return "no sample in the measured phase";
  if (key == "at_exit") return "no at-exit figure";
  return "never read";
}

// "daemon.engines.growth" matches that key only; "daemon.engines" matches any key.
bool matches(const std::string& expected, const Violation& violation) {
  return expected == violation.metric || expected == violation.metric + "." + violation.key;
}

}  // namespace

// The median of the pairwise slopes is trend_of()'s: one implementation of it.
double theil_sen_slope(const std::vector<double>& ys) { return trend_of(ys).slope; }

std::optional<Trend> per_iter_trend(const MetricObservation& observation) {
  if (observation.checkpoints.size() < 2) return std::nullopt;
  return per_iteration(trend_of(observation.checkpoints), observation.iterations_per_checkpoint);
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

Trend trend_of(const std::vector<double>& ys, double z) {
  std::vector<std::pair<double, double>> points;  // (index, value)
  const size_t stride =
      ys.size() > kMaxSlopePoints ? (ys.size() + kMaxSlopePoints - 1) / kMaxSlopePoints : 1;
  for (size_t i = 0; i < ys.size(); i += stride)
    if (!std::isnan(ys[i])) points.emplace_back(static_cast<double>(i), ys[i]);
  Trend trend;
  trend.points = points.size();
  const size_t n = points.size();
  if (n < 2) return trend;
  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  double s = 0;  // Mann–Kendall S: rising pairs minus falling pairs
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      const double rise = points[j].second - points[i].second;
      s += rise > 0 ? 1 : rise < 0 ? -1 : 0;
      slopes.push_back(rise / (points[j].first - points[i].first));
    }
  // Var(S) with the correction for tied values: n(n-1)(2n+5)/18 - sum t(t-1)(2t+5)/18.
  std::vector<double> values;
  values.reserve(n);
  for (const auto& point : points) values.push_back(point.second);
  std::sort(values.begin(), values.end());
  const auto dn = static_cast<double>(n);
  double variance = dn * (dn - 1) * (2 * dn + 5);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && values[j] == values[i]) ++j;
    const auto t = static_cast<double>(j - i);
    variance -= t * (t - 1) * (2 * t + 5);
    i = j;
  }
  variance /= 18;
  std::sort(slopes.begin(), slopes.end());
  const size_t count = slopes.size();
  trend.slope =
      count % 2 == 1 ? slopes[count / 2] : (slopes[count / 2 - 1] + slopes[count / 2]) / 2;
  if (variance <= 0) {  // every value equal
    trend.slope_lower = trend.slope_upper = trend.slope;
    return trend;
  }
  const double sd = std::sqrt(variance);
  const double zs = s > 0 ? (s - 1) / sd : s < 0 ? (s + 1) / sd : 0;
  trend.p_value = 0.5 * std::erfc(zs / std::sqrt(2.0));
  // The lower bound is the M1-th smallest slope, M1 = (N - z * sd(S)) / 2 (1-based).
  const double m1 = (static_cast<double>(count) - z * sd) / 2;
  const size_t index = m1 < 1 ? 0 : static_cast<size_t>(std::floor(m1)) - 1;
  trend.slope_lower = slopes[std::min(index, count - 1)];
  // The upper bound is the M2-th smallest slope, M2 = (N + z * sd(S)) / 2 + 1 (1-based).
  const double m2 = (static_cast<double>(count) + z * sd) / 2 + 1;
  const size_t upper =
      m2 > static_cast<double>(count) ? count - 1 : static_cast<size_t>(std::ceil(m2)) - 1;
  trend.slope_upper = slopes[std::min(upper, count - 1)];
  return trend;
}

Evaluation evaluate(const Observations& metrics,
                    const std::map<std::string, Budget>& effective_budgets,
                    const std::vector<std::string>& expect_violations,
                    const HistoryPeaks& history_peaks, const UnreadReasons& unread,
                    const std::vector<std::string>& explicit_keys) {
  Evaluation evaluation;
  evaluation.budgets = effective_budgets;
  const auto is_explicit = [&](const std::string& metric, std::string_view key) {
    const std::string name = metric + "." + std::string(key);
    return std::find(explicit_keys.begin(), explicit_keys.end(), name) != explicit_keys.end();
  };
  for (const auto& [metric, observation] : metrics) {
    const auto budget = effective_budgets.find(metric);
    if (budget == effective_budgets.end()) continue;
    bool judged = false;
    const bool daemon = metric.rfind("daemon.", 0) == 0;
    for (std::string_view key : kBudgetKeys) {
      const std::optional<double> setting = budget->second.*budget_member(key);
      if (!setting) continue;
      if (*setting == kBudgetAuto) {  // per_iter: auto the runner found no calibration for
        evaluation.not_judged.push_back(
            NotJudged{metric, std::string(key), std::string(kNoCalibration), true});
        continue;
      }
      std::optional<Trend> trend;
      std::string why;
      std::optional<double> figure = judged_figure(metric, key, observation, trend, why);
      // At-exit counters of a daemon that never ran its exit path mean nothing.
      // (Orphans are processes, not counters: they are counted whatever the exit path did.)
      if (key == "at_exit" && (daemon ? unread.daemon_at_exit : unread.client_at_exit) &&
          !is_orphans(metric))
        figure.reset();
      if (!figure) {
        if (why.empty()) why = unread_reason(metric, key, observation, unread);
        evaluation.not_judged.push_back(
            NotJudged{metric, std::string(key), std::move(why), is_explicit(metric, key)});
        continue;
      }
      if (trend) evaluation.trends.push_back(TrendJudgement{metric, *trend});
      std::optional<double> history_peak;
      double limit = *setting;
      if (key == "regress") {
        const auto history = history_peaks.find(metric);
        if (history == history_peaks.end()) {
          // Nothing to compare with until a run is recorded: listed, never an error.
          evaluation.not_judged.push_back(
              NotJudged{metric, std::string(key), "no history baseline yet", false});
          continue;
        }
        history_peak = history->second;
        limit = history->second * (1 + *setting);
      }
      judged = true;
      if (!(*figure > limit)) continue;
      Violation violation{metric, std::string(key), limit, *figure, false, {}};
      violation.message =
          trend ? format_per_iter_violation(metric, limit, *trend, per_iter_by_trend(metric))
                : format_violation(metric, key, limit, *figure, observation,
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
  evaluation.passed = evaluation_passed(evaluation);
  return evaluation;
}

bool evaluation_passed(const Evaluation& evaluation) {
  return evaluation.missing_expected.empty() &&
         std::all_of(evaluation.violations.begin(), evaluation.violations.end(),
                     [](const Violation& violation) { return violation.expected; }) &&
         std::none_of(evaluation.not_judged.begin(), evaluation.not_judged.end(),
                      [](const NotJudged& entry) { return entry.explicit_budget; });
}

Evaluation evaluate(const Observations& metrics, const Scenario& scenario,
                    const HistoryPeaks& history_peaks, const UnreadReasons& unread) {
  Observations all = metrics;
  // Built-in figures a default budget guards, read or not: a default on a figure no source
  // read is listed as not judged. Counted kinds exist only once an object was counted.
  for (const MetricInfo& info : metric_catalogue()) {
    if (info.source == MetricSource::kCounter) continue;
    const Budget defaults = default_budget(info.name);
    const bool guarded = std::any_of(
        std::begin(kBudgetKeys), std::end(kBudgetKeys),
        [&](std::string_view key) { return (defaults.*budget_member(key)).has_value(); });
    if (guarded) all.try_emplace(info.name);
  }
  std::vector<std::string> explicit_keys;
  for (const auto& [metric, budget] : scenario.budgets) {
    all.try_emplace(metric);
    for (std::string_view key : kBudgetKeys) {
      const std::optional<double>& value = budget.*budget_member(key);
      if (value && *value != kBudgetOff) explicit_keys.push_back(metric + "." + std::string(key));
    }
  }
  std::map<std::string, Budget> budgets;
  for (const auto& [metric, observation] : all) {
    Budget budget = effective_budget(metric, scenario);
    const auto set = scenario.budgets.find(metric);
    const bool per_iter_set = set != scenario.budgets.end() && set->second.per_iter;
    if (metric.ends_with(".rss") && budget.per_iter && !per_iter_set) {
      const auto heap = all.find(metric.substr(0, metric.size() - 3) + "heap");
      if (heap == all.end() || !has_any_figure(heap->second))
        budget.per_iter = kRssPerIterWithoutHeap;
    }
    budgets[metric] = budget;
  }
  return evaluate(all, budgets, scenario.expect_violations, history_peaks, unread, explicit_keys);
}

}  // namespace leakgate
