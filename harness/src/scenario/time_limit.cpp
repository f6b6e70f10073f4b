#include "leakgate/time_limit.h"

#include <algorithm>
#include <type_traits>

namespace leakgate {

Millis iteration_time_limit(const StepList& steps, const DaemonSpec& daemon) {
  Millis total{0};
  for (const Step& step : steps) {
    total += std::visit(
        [&](const auto& action) -> Millis {
          using T = std::decay_t<decltype(action)>;
          if constexpr (std::is_same_v<T, HttpStep>) return kHttpStepLimit;
          if constexpr (std::is_same_v<T, ExecStep>) return kExecStepLimit;
          if constexpr (std::is_same_v<T, ClientStep>) return kClientStepLimit;
          if constexpr (std::is_same_v<T, SleepStep>) return action.duration;
          if constexpr (std::is_same_v<T, RestartStep>)
            return daemon.stop_timeout + daemon.ready_timeout;
          if constexpr (std::is_same_v<T, ParallelStep>)  // copies run side by side
            return action.steps ? iteration_time_limit(*action.steps, daemon) : Millis{0};
          return Millis{100};  // a signal
        },
        step.action);
  }
  return total;
}

Millis scenario_time_limit(const Scenario& scenario) {
  const Millis iteration = iteration_time_limit(scenario.steps, scenario.daemon);
  Millis measured{0};
  if (scenario.duration) {
    measured = *scenario.duration + iteration;  // the iteration under way when time is up
  } else if (scenario.iterations_auto) {
    measured = std::min(scenario.max_duration + iteration,
                        iteration * std::max(scenario.max_iterations, 1));
  } else {
    measured = iteration * std::max(scenario.iterations, 0);
  }
  const Millis snapshots = 2 * (scenario.settle.timeout + scenario.settle.confirm_max);
  const Millis total = scenario.daemon.ready_timeout + iteration * std::max(scenario.warmup, 0) +
                       measured + snapshots + 2 * kMaxStopStretch * scenario.daemon.stop_timeout;
  return total + total / 4 + Millis{30000};
}

}  // namespace leakgate
