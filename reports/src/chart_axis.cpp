#include "leakgate/reports/chart_axis.h"

#include <algorithm>
#include <cmath>

namespace leakgate::reports {
namespace {

// The smallest 1, 2, 2.5 or 5 × 10^k that is at least `raw`.
double round_step(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / power;
  const double nice = fraction <= 1     ? 1
                      : fraction <= 2   ? 2
                      : fraction <= 2.5 ? 2.5
                      : fraction <= 5   ? 5
                                        : 10;
  return nice * power;
}

// 1, 1024, 1024², … so that byte ticks are round in the unit they are shown in.
double binary_unit_for(double magnitude) {
  double unit = 1;
  while (magnitude / unit >= 1024 && unit < 1099511627776.0) unit *= 1024;
  return unit;
}

// A scale whose step is a round number of `unit_size`; whole steps only when `integers`.
AxisScale round_scale(double data_low, double data_high, int target_ticks, double unit_size,
                      bool integers) {
  if (!std::isfinite(data_low) || !std::isfinite(data_high)) data_low = data_high = 0;
  if (data_high < data_low) std::swap(data_low, data_high);
  if (data_high == data_low) {
    // A flat line: give it room above and below (or above only, at zero).
    const double pad = data_high == 0 ? 1 : std::fabs(data_high) * 0.1;
    data_high += pad;
    data_low = data_low >= 0 && data_low - pad < 0 ? 0 : data_low - pad;
  }
  double step =
      round_step((data_high - data_low) / unit_size / std::max(target_ticks, 1)) * unit_size;
  if (integers && step < 1) step = 1;
  if (integers && step != std::floor(step)) step = step < 2 ? 2 : 5;  // 2.5 -> 5, not 3
  AxisScale scale;
  scale.low = std::floor(data_low / step) * step;
  scale.high = std::ceil(data_high / step) * step;
  for (double tick = scale.low; tick <= scale.high + step / 2; tick += step) {
    scale.ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0 : tick);
  }
  return scale;
}

}  // namespace

AxisScale nice_scale(double data_low, double data_high, int target_ticks, Unit unit) {
  if (unit == Unit::count) return round_scale(data_low, data_high, target_ticks, 1, true);
  const double largest = std::max(std::fabs(data_low), std::fabs(data_high));
  return round_scale(data_low, data_high, target_ticks, binary_unit_for(largest), false);
}

AxisScale nice_time_scale(double start_s, double end_s, int target_ticks) {
  return round_scale(start_s, end_s, target_ticks, 1, false);
}

std::string format_tick(double value, Unit unit) {
  if (value == 0) return "0";
  return unit == Unit::bytes ? format_bytes(value) : format_number(value);
}

}  // namespace leakgate::reports
