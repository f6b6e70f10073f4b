// Replays scenario steps against the daemon, one iteration at a time, recording per-step
// timings. A failed step throws StepFailure naming the step and what went wrong.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "leakgate/scenario.h"
#include "leakgate/variables.h"

namespace leakgate {

using Vars = Variables;

struct StepStats {
  std::string what;
  std::string where;
  int64_t calls = 0;
  double total_ms = 0;
  double max_ms = 0;
  int64_t failures = 0;
  std::string first_failure;
};

class StepFailure : public std::runtime_error {
 public:
  StepFailure(std::string step, std::string where, const std::string& message)
      : std::runtime_error(message), step(std::move(step)), where(std::move(where)) {}
  std::string step;
  std::string where;
};

// What steps may do to the daemon; provided by the runner.
struct DaemonControl {
  std::function<std::string()> endpoint;  // current endpoint
  std::function<bool(int)> send_signal;   // false when the daemon is gone
  std::function<void()> restart;          // throws on failure
};

class ClientSessionPool;  // client_sessions.h: the registered operations' sessions

class StepExecutor {
 public:
  // `client_injections`: the daemon.inject names that registered client operations claimed
  // (leakgate/client_operations.h); the client sessions get them instead of the daemon.
  StepExecutor(const Scenario& scenario, DaemonControl control,
               std::vector<std::string> client_injections = {});
  ~StepExecutor();

  // Runs every step once with ${ITER} = iteration. Saved values go into vars.
  void run_iteration(int iteration, Vars& vars);
  // Called after each top-level step of run_iteration() that succeeded, with its 0-based index
  // among the top-level steps (a parallel step and its copies are one); empty: none.
  using AfterStep = std::function<void(size_t top_level_index)>;
  void set_after_step(AfterStep after_step) { after_step_ = std::move(after_step); }
  size_t top_level_steps() const { return scenario_.steps.size(); }
  // Drops the harness-side client sessions (a clean client closes its session at the end).
  void close_clients();
  // NAME=VALUE put into every exec step's environment: what carries it after the step is
  // found and stopped at the end (a step tracker's marker_env(), spawn/descendants.h).
  void set_exec_marker(std::pair<std::string, std::string> marker) {
    exec_marker_ = std::move(marker);
  }

  std::vector<StepStats> stats() const;

 private:
  void run_list(const StepList& steps, Vars& vars, size_t first_index, ClientSessionPool& clients);
  void run_step(const Step& step, size_t index, Vars& vars, ClientSessionPool& clients);
  void record(size_t index, double ms, const std::string* failure);
  size_t index_steps(const StepList& steps, const std::string& prefix);

  const Scenario& scenario_;
  DaemonControl control_;
  std::vector<std::string> client_injections_;
  std::unique_ptr<ClientSessionPool> clients_;
  mutable std::mutex stats_mutex_;
  std::vector<StepStats> stats_;
  std::map<const Step*, size_t> step_index_;
  AfterStep after_step_;
  std::pair<std::string, std::string> exec_marker_;
};

}  // namespace leakgate
