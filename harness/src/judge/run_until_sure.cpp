#include "judge/run_until_sure.h"

#include <algorithm>
#include <cmath>

#include "leakgate/metrics.h"
#include "leakgate/verdict.h"

namespace leakgate {
namespace {

// The per-iteration limit a deciding metric is held to, when it has one.
std::optional<double> per_iteration_limit(const Budget& budget) {
  const auto finite = [](const std::optional<double>& value) {
    return value && std::isfinite(*value);  // none (kBudgetOff) and auto (kBudgetAuto) are not
  };
  if (finite(budget.per_iter)) return *budget.per_iter;
  if (budget.per_iter) return std::nullopt;  // an unresolved auto: judged (not judged) at the end
  if (finite(budget.growth)) return 0.0;
  return std::nullopt;
}

std::string join_metrics(const std::vector<const TrendState*>& states, std::string_view what) {
  std::string text;
  for (const TrendState* state : states) {
    if (!text.empty()) text += ", ";
    text += state->metric + " " + std::string(what) + " (" +
            format_confidence(state->metric, state->trend) + ", budget " +
            format_metric_value(state->metric, state->limit) + "/iter)";
  }
  return text;
}

}  // namespace

bool decides_run_length(std::string_view metric) {
  // The heap is judged by trend too, but exactly enough to decide a run's length.
  if (per_iter_by_trend(metric) && !metric.ends_with(".heap")) return false;
  const auto info = find_metric(metric);
  if (!info) return true;  // a counted kind of the scenario's own
  if (info->source == MetricSource::kCounter) return true;
  const size_t dot = metric.find('.');
  const std::string_view resource = metric.substr(dot + 1);
  return resource.starts_with("fds") || resource == "threads" || resource == "children" ||
         resource == "heap";
}

StopDecision decide_stop(const std::map<std::string, std::vector<double>>& checkpoints,
                         const std::map<std::string, Budget>& budgets, size_t min_checkpoints) {
  StopDecision decision;
  bool enough = false;
  for (const auto& [metric, values] : checkpoints) {
    size_t points = 0;
    for (double value : values) points += std::isnan(value) ? 0 : 1;
    enough = enough || values.size() >= min_checkpoints;
    if (!decides_run_length(metric) || points < min_checkpoints) continue;
    const auto budget = budgets.find(metric);
    if (budget == budgets.end()) continue;
    const std::optional<double> limit = per_iteration_limit(budget->second);
    if (!limit) continue;
    TrendState state{metric, TrendState::State::kUndecided, trend_of(values), *limit};
    if (state.trend.slope_lower > *limit)
      state.state = TrendState::State::kLeaks;
    else if (state.trend.slope_upper <= *limit)
      state.state = TrendState::State::kClean;
    decision.figures.push_back(std::move(state));
  }
  decision.stop = enough && std::all_of(decision.figures.begin(), decision.figures.end(),
                                        [](const TrendState& state) {
                                          return state.state != TrendState::State::kUndecided;
                                        });
  return decision;
}

std::string describe_stop(std::string_view why, int iterations, const StopDecision& decision) {
  std::vector<const TrendState*> leaks, clean, undecided;
  for (const TrendState& state : decision.figures) {
    (state.state == TrendState::State::kLeaks   ? leaks
     : state.state == TrendState::State::kClean ? clean
                                                : undecided)
        .push_back(&state);
  }
  const std::string count =
      std::to_string(iterations) + " iteration" + (iterations == 1 ? "" : "s");
  std::string text =
      why == "decided" ? "decided after " + count : std::string(why) + " reached after " + count;
  std::vector<std::string> parts;
  if (!undecided.empty()) parts.push_back("with " + join_metrics(undecided, "undecided"));
  if (!leaks.empty()) parts.push_back(join_metrics(leaks, "leaks"));
  if (!clean.empty())
    parts.push_back(clean.size() == 1 ? clean.front()->metric + " clean"
                                      : std::to_string(clean.size()) + " figures clean");
  if (decision.figures.empty()) parts.push_back("no per-iteration trend to decide");
  for (size_t i = 0; i < parts.size(); ++i)
    text += (i > 0 ? "; " : parts[i].starts_with("with ") ? " " : ": ") + parts[i];
  return text;
}

}  // namespace leakgate
