#include "judge/step_attribution.h"

#include <algorithm>
#include <optional>
#include <cmath>
#include <cstdio>

#include "leakgate/metrics.h"
#include "leakgate/units.h"

namespace leakgate {
namespace {

std::string format_per_iter(const std::string& metric, double value) {
  if (metric_unit(metric) == MetricUnit::kBytes)
    return (value >= 0 ? "+" : "") + format_bytes(value);
  char text[48];
  std::snprintf(text, sizeof text, std::fabs(value) >= 0.1 || value == 0 ? "%+.1f" : "%+.2g",
                value);
  return text;
}

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", share * 100);
  return text;
}

std::optional<ClockFit> fit_clock(const StepGrowth& growth, const std::string& metric) {
  // The parts of an iteration: each step, then the time between iterations (which acts not).
  std::vector<double> sums, times;
  std::vector<bool> acts;
  const auto part = [&](const std::map<std::string, StepDeltaSum>& deltas, double seconds,
                        bool idle) {
    const auto it = deltas.find(metric);
    sums.push_back(it == deltas.end() ? 0.0 : it->second.sum);
    times.push_back(seconds);
    acts.push_back(!idle);
  };
  for (size_t i = 0; i < growth.deltas.size(); ++i)
    part(growth.deltas[i], growth.seconds[i], i < growth.idle.size() && growth.idle[i]);
  part(growth.between, growth.between_seconds, true);
  double total = 0, time = 0;
  for (size_t i = 0; i < sums.size(); ++i) total += sums[i], time += times[i];
  if (!(total > 0) || !(time > 0)) return std::nullopt;
  // The step model: the acting step that grew most makes it all.
  std::optional<size_t> top;
  for (size_t i = 0; i < sums.size(); ++i)
    if (acts[i] && (!top || sums[i] > sums[*top])) top = i;
  double clock_error = 0, step_error = 0, worst_gap = 0;
  for (size_t i = 0; i < sums.size(); ++i) {
    const double by_clock = total * times[i] / time;
    const double by_step = top && i == *top ? total : 0.0;
    clock_error += (sums[i] - by_clock) * (sums[i] - by_clock);
    step_error += (sums[i] - by_step) * (sums[i] - by_step);
    worst_gap = std::max(worst_gap, std::fabs(sums[i] / total - times[i] / time));
  }
  if (!(clock_error < step_error) || worst_gap > 0.25) return std::nullopt;
  return ClockFit{total / time, worst_gap};
}

}  // namespace

void StepGrowth::add(size_t index, const Frame& before, const Frame& after, double elapsed) {
  if (index != kBetween && index >= deltas.size()) return;
  auto& sums = index == kBetween ? between : deltas[index];
  (index == kBetween ? between_seconds : seconds[index]) += elapsed;
  for (const auto& [metric, value] : after) {
    const auto previous = before.find(metric);
    if (previous == before.end() || std::isnan(value) || std::isnan(previous->second)) continue;
    StepDeltaSum& sum = sums[metric];
    sum.sum += value - previous->second;
    sum.count++;
  }
}

void StepGrowth::prepare(const Frame& figures) {
  for (auto& sums : deltas)
    for (const auto& [metric, value] : figures) sums.try_emplace(metric);
  for (const auto& [metric, value] : figures) between.try_emplace(metric);
}

bool StepGrowth::empty() const {
  return std::all_of(deltas.begin(), deltas.end(), [](const auto& sums) {
    return std::all_of(sums.begin(), sums.end(),
                       [](const auto& entry) { return entry.second.count == 0; });
  });
}

std::optional<StepAttribution> attribute_to_steps(const StepGrowth& growth,
                                                  const std::string& metric) {
  StepAttribution attribution{metric, 0, {}, std::nullopt};
  double grown = 0;  // what the steps that grew add up to: the shares' whole
  for (size_t i = 0; i < growth.deltas.size(); ++i) {
    const auto it = growth.deltas[i].find(metric);
    if (it == growth.deltas[i].end() || it->second.count == 0) continue;
    const double mean = it->second.sum / static_cast<double>(it->second.count);
    attribution.per_iter += mean;
    if (mean <= 0) continue;
    attribution.shares.push_back(StepShare{i, mean, 0});
    grown += mean;
  }
  if (attribution.shares.empty() || !(attribution.per_iter > 0)) return std::nullopt;
  for (StepShare& share : attribution.shares) share.share = share.per_iter / grown;
  std::stable_sort(attribution.shares.begin(), attribution.shares.end(),
                   [](const StepShare& a, const StepShare& b) { return a.share > b.share; });
  attribution.clock = fit_clock(growth, metric);
  return attribution;
}

std::string step_label(size_t index, const std::vector<std::string>& step_names) {
  std::string label = "step " + std::to_string(index + 1);
  if (index < step_names.size()) label += " (" + step_names[index] + ")";
  return label;
}

std::string format_step_attribution(const StepAttribution& attribution,
                                    const std::vector<std::string>& step_names) {
  std::string text = attribution.metric + " " +
                     format_per_iter(attribution.metric, attribution.per_iter) + " per iteration";
  if (attribution.clock) {
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.3g", attribution.clock->per_second);
    return text + " follows time (≈" + rate + " per second), not a step (each part's share " +
           "of growth within " + percent(attribution.clock->worst_gap) + " of its share of time)";
  }
  text += ", ";
  const StepShare& top = attribution.shares.front();
  if (top.share >= 0.995) return text + "all of it in " + step_label(top.step, step_names);
  size_t listed = 0;
  for (const StepShare& share : attribution.shares) {
    if (listed == 3 || share.share < 0.01) break;
    text +=
        (listed++ ? ", " : "") + percent(share.share) + " in " + step_label(share.step, step_names);
  }
  if (listed == 0)
    text += "spread over the steps, at most " + percent(top.share) + " in " +
            step_label(top.step, step_names);
  return text;
}

}  // namespace leakgate
