// Whether a figure really moved between runs, or only by the noise its earlier runs show:
// the "Change since earlier runs" table paints only real changes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leakgate/reports/format.h"

namespace leakgate::reports {

// How many earlier runs of a test the spread is taken over.
inline constexpr int kSpreadRuns = 10;

// Below this share of the resource's level a byte figure counts as unchanged even when the
// history has no spread yet (allocator caches, page rounding: heap and rss wobble by a few
// KiB from run to run with nothing changed).
inline constexpr double kBytesRelativeFloor = 0.01;
// ...and never below one page.
inline constexpr double kBytesAbsoluteFloor = 4096;

// How far a figure moves from run to run with nothing changed: the spread (max - min) of
// the earlier runs' values of that figure, at least the unit's floor. Bytes: 1% of `level`
// (the resource's peak), at least 4 KiB. Counts (fds, threads, engines): no floor, one more
// is one more. `spread` is nullopt when fewer than two earlier runs have the figure.
double noise_of(Unit unit, double level, std::optional<double> spread);

enum class Change { unchanged, worse, better };

// More of a resource is worse; a move no larger than `noise` is no change.
Change classify_change(double now, double before, double noise);

// "same", "worse", "better": the CSS class of a change.
const char* change_tone(Change change);

// {metric: {figure: max - min}} over runs as History::run_figures returns them, for the
// figures (peak, growth, final, at_exit) that at least two of the runs have.
nlohmann::json figure_spread(const std::vector<nlohmann::json>& runs);

}  // namespace leakgate::reports
