// Which step leaks: the cheap figures' change over each top-level step of the measured
// iterations (Sampler::step_figures() before and after the step), summed per step and metric,
// and the share of a metric's growth per iteration that each step carries. Memory is one sum
// and count per step and metric, whatever the run's length.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sample/timeline.h"

namespace leakgate {

struct StepDeltaSum {
  double sum = 0;     // the metric's change over the step, summed over the iterations
  int64_t count = 0;  // iterations in which the step ran and both figures were read
};

struct StepGrowth {
  std::vector<std::string> steps;                           // describe() of each top-level step
  std::vector<std::map<std::string, StepDeltaSum>> deltas;  // per step: metric -> sum

  explicit StepGrowth(std::vector<std::string> names = {})
      : steps(std::move(names)), deltas(steps.size()) {}
  // Adds the change of every figure in both frames to step `index` (ignored when out of range).
  void add(size_t index, const Frame& before, const Frame& after);
  // Makes every step's entry for each figure of `figures` up front (before the baseline), so
  // the measured iterations add to the sums without allocating: the harness's heap is judged.
  void prepare(const Frame& figures);
  bool empty() const;  // no step has a change recorded
};

struct StepShare {
  size_t step = 0;      // 0-based; "step 1" in messages
  double per_iter = 0;  // the step's mean change per iteration
  double share = 0;     // per_iter / the sum over the steps (may be < 0 or > 1)
};

struct StepAttribution {
  std::string metric;
  double per_iter = 0;  // the sum of the steps' mean changes (judge(): the checkpoints' slope)
  std::vector<StepShare> shares;  // every step that has the metric, largest share first
};

// The growth of `metric` by step; nullopt when no step has the figure or the steps' changes
// add up to no growth (<= 0): then no step is to blame.
std::optional<StepAttribution> attribute_to_steps(const StepGrowth& growth,
                                                  const std::string& metric);

// "daemon.fds +1.0 per iteration, all of it in step 2 (http GET /work)" (one step with >= 99.5%),
// else the up to three steps with the largest shares of at least 1%:
// "daemon.fds +1.0 per iteration, 96% in step 2 (http GET /work), 4% in step 1 (...)".
std::string format_step_attribution(const StepAttribution& attribution,
                                    const std::vector<std::string>& step_names);

// "step 2 (http GET /work)".
std::string step_label(size_t index, const std::vector<std::string>& step_names);

}  // namespace leakgate
