// The Engine's phases as run_scenario() and LeakRun drive them.
#include "run/engine.h"

#include <limits>

#include "judge/known_leaks.h"
#include "leakgate/client_operations.h"
#include "leakgate/leak_run.h"
#include "run/work_environment.h"

namespace leakgate {

Engine::Engine(const Scenario& scenario, const RunOptions& options)
    : scenario_(scenario),
      options_(options),
      t0_(std::chrono::steady_clock::now()),
      sampler_(options.sample_hz.value_or(scenario.sample_hz), t0_),
      progress_(options.progress, "leak." + scenario.name) {
  record_.test = "leak." + scenario.name;
  record_.started_at = utc_now_iso();
  record_.today = known_leaks_today(record_.started_at);
  record_.warmup = scenario.warmup;
  record_.iterations = options.iterations.value_or(scenario.iterations);
  // --duration wins over the scenario's iterations, --iterations over its duration.
  duration_ = options.duration ? options.duration
                               : (options.iterations ? std::nullopt : scenario.duration);
  if (duration_) record_.iterations = std::numeric_limits<int>::max();
  for (const auto& name :
       options.drop_injections ? std::vector<std::string>{} : scenario.daemon.inject) {
    // Bugs of the client, not of the daemon: the registered client operations that
    // claimed the name apply it to their own sessions (leakgate/client_operations.h).
    if (is_client_injection(name))
      client_injections_.push_back(name);
    else
      daemon_inject_.push_back(name);
  }
}

RunOutcome Engine::run() {
  prepare();
  calibrate();  // a scenario's budgets are final: once, before the run
  guarded([this] { return execute(); });
  return finish();
}

bool Engine::start() {
  return guarded([this] {
    prepare();
    start_daemon_and_sampler();
    return true;
  });
}

bool Engine::baseline() {
  return guarded([this] { return take_baseline(); });
}

bool Engine::checkpoint() {
  return guarded([this] {
    check_daemon_alive();
    take_checkpoint(record_.completed_iterations + 1);
    return true;
  });
}

bool Engine::final_snapshot() {
  return guarded([this] {
    if (!record_.baseline) throw std::logic_error("the final snapshot needs a baseline first");
    record_.iterations = record_.completed_iterations;
    return take_final();
  });
}

std::string Engine::failure_text() const {
  if (!record_.failure) return {};
  return record_.failure->what + ": " + record_.failure->detail;
}

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options) {
  Engine run(scenario, options);
  return run.run();
}

struct LeakRun::Impl : Engine {
  using Engine::Engine;
};

LeakRun::LeakRun(const Scenario& scenario, const RunOptions& options)
    : impl_(std::make_unique<Impl>(scenario, options)) {}
LeakRun::~LeakRun() = default;
bool LeakRun::start() { return impl_->start(); }
bool LeakRun::take_baseline() { return impl_->baseline(); }
bool LeakRun::iteration_done() { return impl_->checkpoint(); }
bool LeakRun::take_final() { return impl_->final_snapshot(); }
RunOutcome LeakRun::finish() { return impl_->finish(); }
std::string LeakRun::failure() const { return impl_->failure_text(); }
const std::string& LeakRun::endpoint() const { return impl_->endpoint(); }
pid_t LeakRun::daemon_pid() const { return impl_->daemon_pid(); }
const std::filesystem::path& LeakRun::workdir() const { return impl_->workdir(); }

}  // namespace leakgate
