// Prepare: everything before the daemon starts (work directory, variables, descendants,
// profilers).
#include "run/engine.h"

#include "leakgate/registry.h"
#include "record/calibrated_budgets.h"
#include "run/machine_load.h"
#include "run/work_environment.h"

namespace leakgate {

void Engine::prepare() {
  load_at_start_ = load_average();
  workdir_ = make_workdir(scenario_.name);
  std::string file_error;
  if (!sampler_.stream_timeline_to((workdir_ / "timeline.lgt").string(), file_error))
    record_.warnings.push_back("no full-resolution timeline file: " + file_error);
  vars_ = options_.vars;
  vars_["WORKDIR"] = workdir_.string();
  vars_["PORT"] = std::to_string(free_loopback_port());
  vars_["TEST"] = record_.test;
  Registry::global().set_capture_stacks(true);
  try {
    // Orphans of the daemon's tree come to us instead of init: found, named, stopped.
    become_child_subreaper();
    sampler_.count_descendants_with(&descendants_);
  } catch (const std::exception& e) {
    record_.warnings.push_back(std::string("escaped descendants may be missed: ") + e.what());
  }
  profilers_.enable(workdir_, options_.profile_daemon_heap, options_.profile_client_heap);
}

void Engine::calibrate() {
  if (!calibration_) calibration_ = load_calibration(scenario_, record_.test, options_);
}

}  // namespace leakgate
