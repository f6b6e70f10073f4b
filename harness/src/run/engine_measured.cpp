// The measured loop: iterations, their checkpoints, and when it ends (a soak's duration, an
// interrupt, iterations: auto).
#include "run/engine.h"

#include <cmath>
#include <cstdio>
#include <thread>

#include "judge/run_until_sure.h"
#include "record/calibrated_budgets.h"

namespace leakgate {

void Engine::check_daemon_alive() {
  if (!daemon_->running()) throw StepFailure("", "", "the daemon exited during the iteration");
}

// After measured iteration `iteration`: a sample of everything, for per_iter slopes.
Frame Engine::take_checkpoint(int iteration) {
  // The daemon refreshes its published heap figure every 2 ms: ask it for one now, or a
  // fast iteration's leak shows up one checkpoint late (a fixed 3-ms wait here made a
  // 500-request nginx run with preload 2.4x as long: docs/deployed-daemons.md).
  if (publishes_heap_) sampler_.refresh_published_heap(std::chrono::milliseconds(3));
  Frame checkpoint = sampler_.sample_now(true);
  if (python_agent_ && !python_agent_->add_to_checkpoint(checkpoint, iteration))
    throw DaemonError(python_agent_->error());
  sampler_.mark_peak_window();  // the measured window's peaks reach this checkpoint
  record_.checkpoints.add(iteration, sampler_.seconds_since_start(), checkpoint);
  record_.completed_iterations = iteration;
  return checkpoint;
}

void Engine::start_daemon_and_sampler() {
  record_.begin_phase("startup", 0);
  progress_.phase("starting daemon");
  start_daemon();
  sampler_.start();
  DaemonControl control{[this] { return endpoint_; },
                        [this](int signo) { return daemon_->signal(signo); },
                        [this] { restart_daemon(); }};
  executor_ = std::make_unique<StepExecutor>(scenario_, control, client_injections_);
  executor_->set_exec_marker(step_processes_.marker_env());
  client_heap_profile(ClientHeapStep::kStart, "at the start");
  record_.begin_phase("warmup", sampler_.seconds_since_start());
}

bool Engine::execute() {
  start_daemon_and_sampler();
  return run_iterations(scenario_.warmup, false) && take_baseline() &&
         run_iterations(record_.iterations, true) && take_final();
}

// False when an interrupt abandoned the run (a warm-up's; the measured phase ends on it).
bool Engine::run_iterations(int count, bool measured) {
  if (measured) measured_since_ = std::chrono::steady_clock::now();
  watch_steps(measured);
  for (int i = 1; i <= count; ++i) {
    if (measured && soak_phase_over()) break;
    if (abandoned_on_interrupt()) return false;
    current_iteration_ = measured ? i : -i;
    if (measured && !step_figures_.empty()) add_step_growth(StepGrowth::kBetween);
    executor_->run_iteration(measured ? i : -i, vars_);
    check_daemon_alive();
    const Frame checkpoint = measured ? take_checkpoint(i) : Frame{};
    if (measured && duration_)
      progress_.soak(i, measured_seconds(), duration_->count() / 1e3, checkpoint);
    else
      progress_.iteration(measured ? "measured" : "warm-up", i, count, checkpoint);
    if (measured && sure_enough(i, checkpoint)) break;
  }
  return true;
}

double Engine::measured_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - measured_since_)
      .count();
}

// Before each measured iteration: a soak's measured phase ends once its duration has
// passed; an interrupt (SIGINT) ends any measured phase early, and the run still takes its
// final snapshot and is judged on what was measured.
bool Engine::soak_phase_over() {
  if (const int signo = interrupt_.consume()) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", measured_seconds());
    record_.cut_short = "cut short by " + signal_name(signo) + " after " +
                        std::to_string(record_.completed_iterations) + " measured iterations / " +
                        seconds + " s: judged on what was measured so far";
    return true;
  }
  return duration_ && measured_seconds() * 1e3 >= static_cast<double>(duration_->count());
}

// iterations: auto (judge/run_until_sure.h): whether the measured loop stops after
// `iteration`, because every per-iteration trend is decided or a limit is reached; the
// reason goes into the verdict.
bool Engine::sure_enough(int iteration, const Frame& checkpoint) {
  if (!scenario_.iterations_auto || options_.iterations) return false;
  calibrate();
  std::map<std::string, Budget> budgets;
  for (const auto& [metric, value] : checkpoint) {
    if (!std::isnan(value)) auto_series_[metric].push_back(value);
    budgets[metric] = effective_budget(metric, calibration_->budgets);
  }
  const StopDecision decision = decide_stop(auto_series_, budgets);
  std::string why = "decided";
  if (!decision.stop && iteration >= record_.iterations)
    why = "max_iterations (" + std::to_string(record_.iterations) + ")";
  else if (!decision.stop &&
           std::chrono::steady_clock::now() - measured_since_ >= scenario_.max_duration)
    why = "max_duration (" + format_duration(scenario_.max_duration) + ")";
  else if (!decision.stop)
    return false;
  record_.auto_stop = describe_stop(why, iteration, decision);
  record_.iterations = iteration;
  return true;
}

}  // namespace leakgate
