// Why each metric the run could have judged was never read, from the sources' states: the
// reasons of the budgets a verdict lists as not judged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leakgate/budget_eval.h"
#include "leakgate/scenario.h"
#include "sample/source_state.h"

namespace leakgate {

// From the sources as Sampler::sources() lists them (RunRecord::sources): for the daemon's
// /proc figures, its heap and counted kinds, the harness's heap and kinds.
// `at_exit_unmeasured` (RunRecord) becomes the daemon's at-exit reason; without a counter
// file there is no at-exit figure either.
UnreadReasons unread_reasons(const std::vector<SourceState>& sources,
                             const std::optional<std::string>& at_exit_unmeasured,
                             const Scenario& scenario);

}  // namespace leakgate
