#include "sawtooth.h"

#include <algorithm>
#include <cmath>

namespace leakgate {
namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  return values[middle];
}

}  // namespace

std::optional<Sawtooth> find_sawtooth(const std::vector<double>& ys) {
  std::vector<std::pair<size_t, double>> points;
  for (size_t i = 0; i < ys.size(); ++i)
    if (!std::isnan(ys[i])) points.emplace_back(i, ys[i]);
  if (points.size() < 4) return std::nullopt;
  std::vector<double> steps, sizes;
  for (size_t i = 1; i < points.size(); ++i) {
    steps.push_back(points[i].second - points[i - 1].second);
    sizes.push_back(std::abs(steps.back()));
  }
  const double typical = median_of(sizes);
  if (typical <= 0) return std::nullopt;  // an exact heap at rest: nothing breathes
  Sawtooth saw;
  std::vector<double> between;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] < -kDropFactor * typical) {
      ++saw.collections;
      saw.trough_index.push_back(points[i + 1].first);
      saw.trough_value.push_back(points[i + 1].second);
    } else {
      between.push_back(steps[i]);
    }
  }
  if (saw.collections == 0 || median_of(between) <= 0) return std::nullopt;
  return saw;
}

}  // namespace leakgate
