#include "leakgate/reports/downsample.h"

#include <algorithm>

namespace leakgate::reports {
namespace {

// Appends a sample, starting a new segment after a gap.
void append_point(std::vector<TimePoint>& points, double t_s, double value, bool after_gap) {
  points.push_back({t_s, value, after_gap || points.empty()});
}

}  // namespace

std::vector<TimePoint> downsample_min_max(const std::vector<double>& t_s,
                                          const std::vector<std::optional<double>>& values,
                                          std::size_t max_points) {
  const std::size_t count = std::min(t_s.size(), values.size());
  max_points = std::max<std::size_t>(max_points, 2);
  std::vector<TimePoint> points;
  bool after_gap = false;
  if (count <= max_points) {
    points.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (!values[i]) {
        after_gap = true;
        continue;
      }
      append_point(points, t_s[i], *values[i], after_gap);
      after_gap = false;
    }
    return points;
  }
  // Each bucket contributes its minimum and its maximum, in time order.
  const std::size_t buckets = max_points / 2;
  points.reserve(buckets * 2);
  for (std::size_t bucket = 0; bucket < buckets; ++bucket) {
    const std::size_t begin = bucket * count / buckets;
    const std::size_t end = (bucket + 1) * count / buckets;
    std::optional<std::size_t> low, high;
    for (std::size_t i = begin; i < end; ++i) {
      if (!values[i]) continue;  // a gap shorter than a bucket is invisible at this scale
      if (!low || *values[i] < *values[*low]) low = i;
      if (!high || *values[i] > *values[*high]) high = i;
    }
    if (!low) {
      after_gap = true;
      continue;
    }
    const std::size_t first = std::min(*low, *high);
    const std::size_t second = std::max(*low, *high);
    append_point(points, t_s[first], *values[first], after_gap);
    if (second != first) append_point(points, t_s[second], *values[second], false);
    after_gap = false;
  }
  return points;
}

}  // namespace leakgate::reports
