// Step watching: which step leaks, from the cheap figures read after every top-level step.
#include "run/engine.h"

#include <thread>

#include "run/settle.h"

namespace leakgate {

// Which step leaks (judge/step_attribution.h): in measured iterations, the cheap figures after
// every top-level step, their change summed per step into record_.step_growth.
void Engine::watch_steps(bool measured) {
  if (!measured) {
    executor_->set_after_step({});
    return;
  }
  if (options_.sample_hz.value_or(scenario_.sample_hz) <= 0) return;  // sampling off
  step_figures_ = step_probe().read();
  step_figures_at_ = std::chrono::steady_clock::now();
  executor_->set_after_step([this](size_t step) { add_step_growth(step); });
}

// The change since the last reading goes to `step` (StepGrowth::kBetween: the time between
// two iterations), with the time it took: growth that follows the clock shows as such.
void Engine::add_step_growth(size_t step) {
  Frame now = read_step_figures();
  const auto t = std::chrono::steady_clock::now();
  record_.step_growth.add(step, step_figures_, now,
                          std::chrono::duration<double>(t - step_figures_at_).count());
  step_figures_ = std::move(now);
  step_figures_at_ = t;
}

// The current daemon's (a restart step starts a new one).
StepFigures& Engine::step_probe() {
  if (!step_probe_ || step_probe_->daemon_pid() != daemon_->pid()) {
    const bool shm = reads_counter_file(scenario_.daemon);
    step_probe_.emplace(daemon_->pid(), shm ? counter_path_of_current() : std::string());
  }
  return *step_probe_;
}

// A figure that moved may be a connection the daemon is about to close: as settle() does
// before a snapshot, in small, read again 1 ms later until two readings agree (4 at most).
// A step that changes nothing costs one reading.
Frame Engine::read_step_figures() {
  Frame now = step_probe().read();
  for (int i = 0; i < 3 && !same_settle_figures(step_figures_, now); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    Frame again = step_probe().read();
    if (same_settle_figures(now, again)) break;
    now = std::move(again);
  }
  return now;
}

// Before the baseline: the probe's own fds (the harness's) are then in the baseline, the
// measured phase and the final snapshot alike.
void Engine::reset_step_growth() {
  std::vector<std::string> names;
  for (const Step& step : scenario_.steps) names.push_back(step.describe());
  record_.step_growth = StepGrowth(std::move(names));
  for (size_t i = 0; i < scenario_.steps.size(); ++i)
    record_.step_growth.idle[i] = std::holds_alternative<SleepStep>(scenario_.steps[i].action);
  if (options_.sample_hz.value_or(scenario_.sample_hz) > 0)
    record_.step_growth.prepare(step_probe().read());
}

}  // namespace leakgate
