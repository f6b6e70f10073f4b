// Where a run's figures come from, and whether each source delivered: a verdict lists them,
// so a budget on a figure that no source read is reported as not judged, never as a pass.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leakgate/budget_eval.h"
#include "leakgate/scenario.h"

namespace leakgate {

struct SourceState {
  std::string name;    // "/proc", "counter file", "prometheus scrape /metrics", "preload heap", ...
  bool live = false;   // delivered at least one reading during the run
  std::string reason;  // when not live: "counter file never appeared", "scrape of /metrics
                       // failed: connection refused", ...
};

// Why each metric the run could have judged was not read, from the sources' states (as
// Sampler::sources() lists them): for the daemon's /proc figures, its heap and counted kinds,
// the harness's heap and kinds. `at_exit_unmeasured` (RunRecord) becomes the daemon's
// at-exit reason; without a counter file there is no at-exit figure either. Defined in
// unread_reasons.cpp.
UnreadReasons unread_reasons(const std::vector<SourceState>& sources,
                             const std::optional<std::string>& at_exit_unmeasured,
                             const Scenario& scenario);

}  // namespace leakgate
