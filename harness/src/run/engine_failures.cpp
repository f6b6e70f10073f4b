// Failure mapping: what went wrong in a phase becomes the run's one recorded failure.
#include "run/engine.h"

#include "spawn/step_executor.h"

namespace leakgate {

bool Engine::guarded(const std::function<bool()>& phase) {
  try {
    return phase();
  } catch (const StepFailure& e) {
    fail(daemon_ && !daemon_->running() ? "daemon crashed" : "step failed", e.what(), e.step,
         e.where);
  } catch (const DaemonError& e) {
    fail(phase_failure_, e.what());
  } catch (const std::exception& e) {
    fail("harness error", e.what());
  }
  return false;
}

void Engine::fail(const std::string& what, const std::string& detail, const std::string& step,
                  const std::string& where) {
  if (record_.failure) return;
  RunFailure failure{what, detail, step, where, current_iteration_, std::nullopt};
  if (daemon_) failure.exit = daemon_->poll_exit();
  if (failure.exit && what == "step failed") failure.what = "daemon crashed";
  record_.failure = failure;
}

bool Engine::abandoned_on_interrupt() {
  if (!interrupt_.abandons()) return false;
  fail("interrupted", "interrupted by a signal");
  return true;
}

}  // namespace leakgate
