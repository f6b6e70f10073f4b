// How long one run of a scenario may take at most, from its own limits: the readiness timeout,
// every step's limit (an HTTP request's client timeout, an exec step's, a sleep's length) for
// every iteration, the settle timeouts and confirmation windows, and the stop timeout, with a
// margin. CTest's TIMEOUT for a scenario test is this (leakgate_add_scenarios): a slow
// machine makes a run slow, never a timeout; a hang is still caught by the limits inside.
#pragma once

#include "leakgate/scenario.h"

namespace leakgate {

// The limits the harness itself holds a step to (spawn/step_executor.cpp, spawn/endpoint.h).
inline constexpr Millis kHttpStepLimit{5000};
inline constexpr Millis kExecStepLimit{30000};
// A registered client operation may make a few requests of kHttpStepLimit each.
inline constexpr Millis kClientStepLimit{15000};
// On a loaded machine the daemon's stop_timeout is stretched by the load per CPU, at most this
// much (run/machine_load.h): a daemon slowed by other jobs is not a daemon that hangs.
inline constexpr int kMaxStopStretch = 4;

// The longest one measured iteration of `steps` may take.
Millis iteration_time_limit(const StepList& steps, const DaemonSpec& daemon);

// The longest the whole run may take, margin included (25 % and 30 s).
Millis scenario_time_limit(const Scenario& scenario);

}  // namespace leakgate
