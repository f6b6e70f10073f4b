// Runs one scenario end to end: daemon, warm-up, baseline, measured iterations, final,
// graceful stop, budgets, verdict, result.json. One daemon per test.
#pragma once

#include "leakgate/run_options.h"
#include "leakgate/scenario.h"

namespace leakgate {

// Never throws for a failing daemon or step: those are verdicts, nor for a report that cannot
// be published (RunOutcome::publish_error). Throws only for harness-level problems (e.g.
// cannot create the work directory).
RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace leakgate

namespace leakgate {

// Async-signal-safe: asks a running scenario to stop at the next step boundary, stop its
// daemon and write a partial report. The run's exit code is then 1. In the measured phase the
// run ends its iterations instead and is judged on what was measured ("cut short by SIGINT
// after N measured iterations / T s"); `signo` names the signal there.
void request_interrupt(int signo = 2 /* SIGINT */) noexcept;
bool interrupt_requested() noexcept;

}  // namespace leakgate
