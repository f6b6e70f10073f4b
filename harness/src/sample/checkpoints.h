// The per-iteration checkpoints of a run (the samples per_iter slopes are judged from), at
// bounded memory: every checkpoint while there are at most kMaxKept, then every second one,
// every fourth, ... Those kept are the iterations that are multiples of every(), so they stay
// evenly spaced and a slope over them divided by every() is the slope per iteration.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sample/timeline.h"

namespace leakgate {

class Checkpoints {
 public:
  static constexpr size_t kMaxKept = 2048;
  static constexpr size_t kMaxColumns = Timeline::kMaxColumns;
  Checkpoints();

  void clear();
  // The sample after measured iteration `iteration` (1, 2, ...), taken at `t_s`.
  void add(int iteration, double t_s, const Frame& frame);

  int every() const { return every_; }
  size_t size() const { return iterations_.size(); }
  const std::vector<int>& iterations() const { return iterations_; }
  const std::vector<double>& times() const { return times_; }
  // One value per kept checkpoint, NaN where the metric was absent; empty if never seen.
  std::vector<double> values(const std::string& metric) const;
  // Iterations between two of the metric's values: every(), or n times that for a figure taken
  // only every n-th iteration (the Python agent's snapshots, spawn/python_agent.h) when its
  // values are evenly spaced; a slope over values() is divided by it.
  int iterations_apart(const std::string& metric) const;
  // The last checkpoint added, kept or not; 0 / -1 before the first.
  int last_iteration() const { return last_iteration_; }
  double last_time_s() const { return last_t_s_; }

 private:
  void thin_out();  // keeps every second checkpoint

  std::vector<int> iterations_;
  std::vector<double> times_;
  std::vector<double> cells_;  // row-major, kMaxColumns per kept checkpoint
  std::map<std::string, size_t, std::less<>> index_;
  int every_ = 1;
  int last_iteration_ = 0;
  double last_t_s_ = -1;
};

}  // namespace leakgate
