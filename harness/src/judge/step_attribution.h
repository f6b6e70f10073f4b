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
  std::vector<double> seconds;                              // per step: time spent in it
  std::vector<bool> idle;  // per step: it only waits (a sleep), so it can cause nothing
  // Between iterations (the checkpoint, the loop): growth there follows no step.
  std::map<std::string, StepDeltaSum> between;
  double between_seconds = 0;

  explicit StepGrowth(std::vector<std::string> names = {})
      : steps(std::move(names)),
        deltas(steps.size()),
        seconds(steps.size(), 0.0),
        idle(steps.size(), false) {}
  // Adds the change of every figure in both frames, and the `elapsed` seconds between them, to
  // step `index` (ignored when out of range), or to `between` when index is kBetween.
  void add(size_t index, const Frame& before, const Frame& after, double elapsed = 0);
  static constexpr size_t kBetween = static_cast<size_t>(-1);
  // Makes every step's entry for each figure of `figures` up front (before the baseline), so
  // the measured iterations add to the sums without allocating: the harness's heap is judged.
  void prepare(const Frame& figures);
  bool empty() const;  // no step has a change recorded
};

struct StepShare {
  size_t step = 0;      // 0-based; "step 1" in messages
  double per_iter = 0;  // the step's mean change per iteration
  double share = 0;     // of the growth the steps that grew carry: 0..1
};

// Whether the growth follows the clock: the growth of every part of an iteration (its steps and
// the time between iterations) is closer to its share of the time than to the model in which
// one step that acts (not a sleep: waiting causes nothing) makes all of it.
struct ClockFit {
  double per_second = 0;  // growth per second of the measured iterations
  double worst_gap = 0;   // the largest |growth share - time share| of a part
};

struct StepAttribution {
  std::string metric;
  double per_iter = 0;  // the sum of the steps' mean changes (judge(): the checkpoints' slope)
  std::vector<StepShare> shares;  // every step that grew, largest share first
  std::optional<ClockFit> clock;  // set when the clock explains the growth: no step is named
};

// The growth of `metric` by step; nullopt when no step has the figure or the steps' changes
// add up to no growth (<= 0): then no step is to blame.
std::optional<StepAttribution> attribute_to_steps(const StepGrowth& growth,
                                                  const std::string& metric);

// "daemon.fds +1.0 per iteration, all of it in step 2 (http GET /work)" (one step with >= 99.5%),
// else the up to three steps with the largest shares of at least 1%:
// "daemon.fds +1.0 per iteration, 96% in step 2 (http GET /work), 4% in step 1 (...)";
// growth the clock explains: "daemon.fds +1.0 per iteration follows time (≈20.0 per second),
// not a step (each part's share of growth within 6% of its share of time)".
std::string format_step_attribution(const StepAttribution& attribution,
                                    const std::vector<std::string>& step_names);

// "step 2 (http GET /work)".
std::string step_label(size_t index, const std::vector<std::string>& step_names);

}  // namespace leakgate
