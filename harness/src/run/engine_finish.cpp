// Finish: stop the daemon, collect what the profilers found, put the sampler's figures in the
// record, and write the result (record/result_writer.h).
#include "run/engine.h"

#include <unistd.h>

#include <algorithm>

#include "judge/judgement.h"
#include "record/result_writer.h"
#include "run/machine_load.h"

namespace leakgate {

RunOutcome Engine::finish() {
  if (duration_) record_.iterations = record_.completed_iterations;  // a soak measures what ran
  shutdown_daemon();
  collect_profiles();
  sampler_.stop();
  record_.timeline = sampler_.timeline();
  record_.sources = sampler_.sources();
  record_.duration_s = sampler_.seconds_since_start();
  record_.sampler_ticks = sampler_.thread_ticks();
  record_.sampler_cpu_s = sampler_.thread_cpu_seconds();
  record_.sampler_normal_priority_ticks = sampler_.normal_priority_ticks();
  record_.sampler_max_late_s = sampler_.max_late_seconds();
  if (auto note =
          sampling_late_note(record_.sampler_max_late_s, record_.sampler_normal_priority_ticks,
                             record_.sampler_ticks)) {
    record_.warnings.push_back(std::move(*note));
  }
  if (executor_) record_.steps = executor_->stats();
  const std::optional<double> load = load_average();
  if (auto note = loaded_machine_note(std::max(load.value_or(0), load_at_start_.value_or(0)),
                                      sysconf(_SC_NPROCESSORS_ONLN)))
    record_.warnings.push_back(std::move(*note));
  calibrate();  // a LeakTest sets its budgets in the test body: once, now
  const Judgement judgement = judge(scenario_, record_, *calibration_);
  // The verdict first: it is printed before anything is published, so a report that cannot be
  // written (its error follows, from the front-end) never hides it.
  progress_.finish(judgement.verdict.text);
  RunOutcome outcome = write_result(scenario_, options_, record_, judgement, workdir_);
  if (!options_.keep_workdir) {
    std::error_code ec;
    std::filesystem::remove_all(workdir_, ec);
  } else {
    progress_.note("kept the work directory " + workdir_.string());
  }
  return outcome;
}

// After the stop: the heap profile diffs, and what a wrapper profiler wrote.
void Engine::collect_profiles() {
  ProfileResults results = profilers_.collect(workdir_, daemon_ != nullptr,
                                              [this](const std::string& what) {
                                                progress_.phase(what);
                                              });
  record_.heap_growth = std::move(results.heap_growth);
  record_.client_heap_growth = std::move(results.client_heap_growth);
  for (const auto& file : results.files) record_.extra_files[file] = file;
}

}  // namespace leakgate
