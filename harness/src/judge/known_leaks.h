// Known leaks that expire (Scenario::known_leaks): a violation of growth or per_iter that a
// known leak covers — same metric (or a sub-metric: daemon.fds.file for daemon.fds), its site
// matched exactly, within its per_iter bound, not expired — is reported but does not fail.
// Over the bound or after the expiry date the violation stays and says why; an entry that
// matched nothing in the run is stale: a warning, not a failure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "judge/metric_figures.h"
#include "judge/step_attribution.h"
#include "leakgate/budget_eval.h"

namespace leakgate {

struct KnownLeakResult {
  KnownLeak leak;
  enum class State { kWithin, kOverBound, kExpired, kStale } state = State::kStale;
  std::optional<double> observed_per_iter;  // the growth per iteration, when matched
  std::string matched;                      // the site or step it matched
  std::string line;                         // for the verdict (a warning when stale)
};
const char* to_string(KnownLeakResult::State state);

// What a known leak's site is matched against in one run.
struct LeakSites {
  nlohmann::json objects;               // metric -> live groups ("site"), judgement.h
  std::vector<StepAttribution> steps;   // growth by step, per metric
  std::vector<std::string> step_names;  // describe() of the top-level steps
};

// Applies `leaks` to `evaluation` (violations it covers are removed, `passed` recomputed) and
// returns one result per entry, in order, reading each covered metric's `figures`. `today` is YYYY-MM-DD; an entry expires after its
// day. `iterations`: the measured ones (growth per iteration = growth / iterations when that
// exceeds the slope).
std::vector<KnownLeakResult> apply_known_leaks(const std::vector<KnownLeak>& leaks,
                                               Evaluation& evaluation,
                                               const Figures& figures,
                                               const LeakSites& sites, const std::string& today,
                                               int iterations);

// The day known leaks expire against: the LEAKGATE_TODAY environment variable (tests) when set,
// else the date of `started_at` ("2026-12-05T10:00:00Z", UTC); throws std::invalid_argument
// when LEAKGATE_TODAY is not YYYY-MM-DD.
std::string known_leaks_today(const std::string& started_at);

}  // namespace leakgate
