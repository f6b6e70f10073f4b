#include "judge/step_attribution.h"

#include <algorithm>
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

}  // namespace

void StepGrowth::add(size_t index, const Frame& before, const Frame& after) {
  if (index >= deltas.size()) return;
  auto& sums = deltas[index];
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
}

bool StepGrowth::empty() const {
  return std::all_of(deltas.begin(), deltas.end(), [](const auto& sums) {
    return std::all_of(sums.begin(), sums.end(),
                       [](const auto& entry) { return entry.second.count == 0; });
  });
}

std::optional<StepAttribution> attribute_to_steps(const StepGrowth& growth,
                                                  const std::string& metric) {
  StepAttribution attribution{metric, 0, {}};
  for (size_t i = 0; i < growth.deltas.size(); ++i) {
    const auto it = growth.deltas[i].find(metric);
    if (it == growth.deltas[i].end() || it->second.count == 0) continue;
    const double mean = it->second.sum / static_cast<double>(it->second.count);
    attribution.shares.push_back(StepShare{i, mean, 0});
    attribution.per_iter += mean;
  }
  if (attribution.shares.empty() || !(attribution.per_iter > 0)) return std::nullopt;
  for (StepShare& share : attribution.shares) share.share = share.per_iter / attribution.per_iter;
  std::stable_sort(attribution.shares.begin(), attribution.shares.end(),
                   [](const StepShare& a, const StepShare& b) { return a.share > b.share; });
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
                     format_per_iter(attribution.metric, attribution.per_iter) + " per iteration, ";
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
