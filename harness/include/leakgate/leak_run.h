// The engine behind `leakgate run` and leakgate::LeakTest, for a front-end that drives the
// phases itself: one leak test's daemon under the sampler, the settled baseline, a checkpoint
// per iteration, the settled final snapshot, the stop, the judgement, result.json and the
// page. run_scenario() (leakgate/runner.h) drives the same phases with a scenario's steps.
//
//   LeakRun run(scenario, options);       // scenario.daemon, budgets, settle, sample_hz
//   if (run.start() && run.take_baseline()) {
//     for (...) { /* drive run.endpoint() */ run.iteration_done(); }
//     run.take_final();
//   }
//   RunOutcome outcome = run.finish();    // always: stops the daemon, writes the result
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "leakgate/runner.h"
#include "leakgate/scenario.h"

namespace leakgate {

class LeakRun {
 public:
  // Both are read until finish(): budgets set on the scenario before then are judged.
  LeakRun(const Scenario& scenario, const RunOptions& options);
  ~LeakRun();
  LeakRun(const LeakRun&) = delete;
  LeakRun& operator=(const LeakRun&) = delete;

  // Each phase returns false when the test cannot go on (the daemon did not start, died, a
  // harness error); failure() says why, and finish() reports it.
  bool start();                 // work directory, ${WORKDIR}/${PORT}, daemon ready, sampler on
  bool take_baseline();         // settle, snapshot; again later: what ran before is warm-up
  bool iteration_done();        // a checkpoint (per_iter slopes)
  bool take_final();            // settle, final snapshot, where grown objects were made
  RunOutcome finish();          // stop, at-exit figures, escaped processes, verdict, result.json
  std::string failure() const;  // empty while nothing failed

  const std::string& endpoint() const;
  pid_t daemon_pid() const;  // -1 before start
  const std::filesystem::path& workdir() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leakgate
