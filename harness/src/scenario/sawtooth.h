// Heaps that breathe: a garbage-collected or arena heap rises between collections and drops at
// each one. Judged on every checkpoint, the rise looks like a leak; what leaks is what survives
// collection, so such a series is judged on its troughs (the checkpoints right after a drop).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace leakgate {

struct Sawtooth {
  size_t collections = 0;              // drops found
  std::vector<size_t> trough_index;    // checkpoint index of each trough
  std::vector<double> trough_value;
};

// Troughs needed to judge what survives: with fewer, a per-iteration budget is not judged.
inline constexpr size_t kMinTroughs = 3;
// A drop is a collection when it is this many times the median step of the series.
inline constexpr double kDropFactor = 8;

// The sawtooth in `ys` (checkpoints, NaN skipped), or nullopt when it has none: a sawtooth
// rises between drops (the median step that is not a drop is above zero) and drops by more
// than kDropFactor times the median absolute step at least once.
std::optional<Sawtooth> find_sawtooth(const std::vector<double>& ys);

}  // namespace leakgate
