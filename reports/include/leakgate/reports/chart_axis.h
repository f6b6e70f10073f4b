// Axis scales with round tick values (1-2-5 steps; binary units for bytes).
#pragma once

#include <vector>

#include "leakgate/reports/format.h"

namespace leakgate::reports {

struct AxisScale {
  double low = 0;
  double high = 1;
  std::vector<double> ticks;  // within [low, high]
};

// A scale covering [data_low, data_high] with about `target_ticks` round ticks.
// Counts get integer ticks; bytes get ticks that are round in KiB/MiB/GiB.
AxisScale nice_scale(double data_low, double data_high, int target_ticks, Unit unit);

// A time axis in seconds (fractional steps allowed).
AxisScale nice_time_scale(double start_s, double end_s, int target_ticks);

// The label of a tick value: "16 MiB", "40".
std::string format_tick(double value, Unit unit);

}  // namespace leakgate::reports
