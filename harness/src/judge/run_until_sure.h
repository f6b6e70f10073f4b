// `iterations: auto`: after each measured iteration, is every judged per-iteration trend
// decided? Pure: checkpoints and budgets in, a decision out; the runner asks after each
// checkpoint and stops when it says so (or at max_iterations / max_duration).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/budget_eval.h"
#include "leakgate/scenario.h"

namespace leakgate {

// Fewer checkpoints never decide: 8 is also the fewest with which an RSS trend can reach
// p < kTrendAlpha, so a noisy figure judged at the end can still fail.
inline constexpr size_t kMinDecidingCheckpoints = 8;

// The figures that must decide: the cheap integer ones (fds, threads, children, counted
// kinds) and the exact heap. RSS and PSS (per_iter_by_trend()) are too noisy to wait for:
// they are judged at the final snapshot with the checkpoints there are, like every budget.
bool decides_run_length(std::string_view metric);

struct TrendState {
  enum class State { kLeaks, kClean, kUndecided };
  std::string metric;
  State state = State::kUndecided;
  Trend trend;
  double limit = 0;  // the per_iter budget, or 0 for a growth budget (no steady rise)
};

struct StopDecision {
  bool stop = false;                // every deciding trend is decided
  std::vector<TrendState> figures;  // one per deciding metric with a budget, by name
};

// `checkpoints` per metric (NaN points are skipped); `budgets` the effective budget per
// metric. A deciding metric is judged per iteration when it has a per_iter budget (its
// limit) or a growth budget (limit 0: any steady rise eventually breaks it). Its trend is
// decided as a leak when the lower confidence bound of the slope (trend_of()) is above the
// limit, clean when the upper bound is at or below it. Metrics without a finite limit (none,
// an unresolved per_iter: auto) or with fewer than `min_checkpoints` points are left out.
// With no figure to decide, the run stops at min_checkpoints all the same.
StopDecision decide_stop(const std::map<std::string, std::vector<double>>& checkpoints,
                         const std::map<std::string, Budget>& budgets,
                         size_t min_checkpoints = kMinDecidingCheckpoints);

// "decided after 8 iterations: daemon.fds leaks (99.8% CI +1..+1, p<0.001); 6 figures clean"
// "max_iterations reached after 200 iterations with daemon.heap undecided (99.8% CI -12 B..+700
//  B, budget 512 B/iter)"; `why` is "decided", "max_iterations" or "max_duration".
std::string describe_stop(std::string_view why, int iterations, const StopDecision& decision);

}  // namespace leakgate
