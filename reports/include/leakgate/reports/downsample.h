// Reduces a long timeline to a drawable one: min/max per bucket keeps every spike, so
// a 60 s run sampled at 1 kHz draws like the original with ≤ max_points points.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace leakgate::reports {

struct TimePoint {
  double t_s = 0;
  double value = 0;
  bool starts_segment = false;  // the point after a gap (absent samples) starts a new line
};

// `values[i]` is the sample at `t_s[i]`; absent samples break the line (a bucket with no
// sample at all, once downsampled). The result is in time order, with at most
// max(max_points, 2) points.
std::vector<TimePoint> downsample_min_max(const std::vector<double>& t_s,
                                          const std::vector<std::optional<double>>& values,
                                          std::size_t max_points);

}  // namespace leakgate::reports
