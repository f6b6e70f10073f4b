// Snapshots: the settled baseline and final, their floors, and where what grew was made.
#include "run/engine.h"

#include <thread>

#include "leakgate/metrics.h"
#include "leakgate/registry.h"
#include "run/settle.h"
#include "spawn/live_objects_request.h"

namespace leakgate {
namespace {

// The forked workers of a snapshot's tree, asked for their own live-object dumps.
std::vector<TreeProcess> workers_of(const std::vector<TreeProcessFigures>& processes) {
  std::vector<TreeProcess> workers;
  for (const TreeProcessFigures& process : processes)
    if (process.role == "worker") workers.push_back({process.pid, process.name});
  return workers;
}

// The daemon's live-object dump and its workers' (preload), their warnings kept.
nlohmann::json tree_live_objects(DaemonProcess& daemon, const std::string& counter_path,
                                 const std::vector<TreeProcessFigures>& processes,
                                 std::vector<std::string>& warnings) {
  TreeLiveObjects answer = request_tree_live_objects(daemon, counter_path, workers_of(processes),
                                                     std::chrono::seconds(5));
  for (std::string& warning : answer.warnings) warnings.push_back(std::move(warning));
  return std::move(answer.dump);
}

}  // namespace

// The harness's own client keeps its connection alive between steps, and a daemon closes
// an idle one on its own timer (after a second or so): whether the baseline or the final
// snapshot counted it would depend on how long settling took. Closed before both, the
// daemon's socket for it is gone at both; sessions that a leaky client never closes stay.
void Engine::close_idle_clients() {
  if (executor_) executor_->close_clients();
}

// Settling before `snapshot` ("the baseline"), its result into `settled`; false when an
// interrupt abandoned the run (`settled` is then left as it was).
bool Engine::settle_for(const std::string& snapshot, bool& settled) {
  record_.begin_phase("settle", sampler_.seconds_since_start());
  progress_.phase("settling for " + snapshot);
  close_idle_clients();
  const bool result = settle(sampler_, scenario_.settle, *daemon_, stop_requested());
  if (abandoned_on_interrupt()) return false;
  settled = result;
  return true;
}

// Settles, then the baseline the measured iterations are judged against. Again later (a
// LeakTest's warmup_done()): what ran since the first baseline becomes warm-up.
// False when an interrupt abandoned the run.
bool Engine::take_baseline() {
  if (record_.baseline) {
    if (!record_.phases.empty() && record_.phases.back().name == "measured") {
      record_.phases.back().name = "warmup";
    }
    record_.checkpoints.clear();
    record_.completed_iterations = 0;
  }
  reset_step_growth();
  if (!settle_for("the baseline", record_.baseline_settled)) return false;
  if (!take_floors(record_.baseline, record_.baseline_fds, record_.baseline_floors, "baseline"))
    return false;
  record_.baseline_processes = sampler_.tree_figures();
  name_by_command_line(record_.baseline_processes);
  if (!record_.baseline_settled && daemon_->running()) {
    record_.warnings.push_back("figures did not settle before the baseline within " +
                               std::to_string(scenario_.settle.timeout.count()) + " ms");
  }
  publishes_heap_ = record_.baseline->count("daemon.heap") > 0;
  // The agent's cadence needs a known count (spawn/python_agent.h): auto and soaks ask always.
  const bool counted = !duration_ && (!scenario_.iterations_auto || options_.iterations);
  if (python_agent_ && !python_agent_->at_baseline(counted ? record_.iterations : 0))
    throw DaemonError(python_agent_->error());
  // The preload library's sampled allocations at the baseline: heap growth sites are the
  // difference to the final dump (judgement.cpp).
  if (scenario_.daemon.preload) {
    record_.daemon_live_objects_baseline = tree_live_objects(
        *daemon_, counter_path_of_current(), record_.baseline_processes, record_.warnings);
  }
  if (auto warning = profilers_.dump_daemon_baseline(daemon_->pid()))
    record_.warnings.push_back(std::move(*warning));
  record_.begin_phase("measured", sampler_.seconds_since_start());
  sampler_.open_peak_window();
  // After the baseline's bookkeeping, right before the measured steps.
  client_heap_profile(ClientHeapStep::kBaseline, "at the baseline");
  return true;
}

// Settles, then the final snapshot, its fds and, when something grew, where it was made.
// False when an interrupt abandoned the run.
bool Engine::take_final() {
  if (!settle_for("the final snapshot", record_.final_settled)) return false;
  // Before the final snapshot's own frame and fd list: the harness's bookkeeping is no growth.
  client_heap_profile(ClientHeapStep::kFinal, "at the final snapshot");
  profilers_.stop_client_heap();
  if (!take_floors(record_.final, record_.final_fds, record_.final_floors, "final")) return false;
  record_.final_tree = descendants_.members();  // as the window's last sample scanned it
  record_.final_processes = sampler_.tree_figures();
  name_by_command_line(record_.final_processes);
  if (!record_.final_settled && daemon_->running()) {
    record_.warnings.push_back("figures did not settle before the final snapshot within " +
                               std::to_string(scenario_.settle.timeout.count()) + " ms");
  }
  if (auto warning = profilers_.dump_daemon_final(daemon_->pid()))
    record_.warnings.push_back(std::move(*warning));
  record_.daemon_cpu_s = process_cpu_seconds(daemon_->pid());
  if (python_agent_) python_final();
  // Symbolizing creation stacks costs a few hundred ms: only when a counted kind grew
  // (or, with the preload library, the fds or the heap it records).
  if (python_agent_) {  // the agent answered above; the daemon catches no SIGUSR2
  } else if (counted_kind_grew("daemon.") ||
      (scenario_.daemon.preload && (grew("daemon.fds") || grew("daemon.heap")))) {
    record_.daemon_live_objects = scenario_.daemon.preload
                                      ? tree_live_objects(*daemon_, counter_path_of_current(),
                                                          record_.final_processes, record_.warnings)
                                      : request_daemon_live_objects(*daemon_, counter_path_of_current());
  }
  if (counted_kind_grew("client.")) {
    record_.client_live_objects =
        nlohmann::json::parse(Registry::global().live_objects_json(), nullptr, false);
  }
  return true;
}

// The snapshot: the floors of a confirmation window (run/settle.h), so what the daemon holds
// for a moment (a periodic export file) is reported as transient, never as growth. False when
// an interrupt abandoned the run: nothing is taken then.
bool Engine::take_floors(std::optional<Frame>& frame, std::vector<FdInfo>& fds,
                         std::optional<FloorReport>& floors, const std::string& which) {
  const Frame* reference = &frame == &record_.final && record_.baseline ? &*record_.baseline
                                                                        : nullptr;
  FloorReport report =
      confirm_floors(sampler_, scenario_.settle, *daemon_, stop_requested(), reference);
  if (abandoned_on_interrupt()) return false;
  frame = report.floor;
  fds = report.fds;
  const std::vector<std::string> transients = describe_transients(report);
  if (!transients.empty()) {
    record_.warnings.push_back("transient in the " + which + " window, not counted (" +
                               describe_window(report) + "): " + transients.front());
    for (size_t i = 1; i < transients.size(); ++i)
      record_.warnings.push_back("transient in the " + which + " window: " + transients[i]);
  }
  floors = std::move(report);
  return true;
}

// The Python agent's figures join the final snapshot; for the types that grew, where a
// sample of their live objects was allocated, as the live-objects dump judgement.cpp reads.
void Engine::python_final() {
  if (!python_agent_->add_to_final(*record_.final, *record_.baseline))
    throw DaemonError(python_agent_->error());
  if (!python_agent_->tracing_deepened().empty())
    record_.warnings.push_back(python_agent_->tracing_deepened());
  if (auto cadence = python_agent_->cadence_note(); !cadence.empty())
    record_.warnings.push_back(std::move(cadence));
  std::vector<std::string> grown;  // builtin containers are not judged by count: no sites
  for (const auto& [metric, value] : *record_.final) {
    const auto before = record_.baseline->find(metric);
    const bool typed = (metric.rfind(kPythonTypePrefix, 0) == 0 && metric != kPythonHeapMetric) ||
                       metric.rfind(kPythonLibraryTypePrefix, 0) == 0;
    if (typed && metric.find(".builtins.") == std::string::npos &&
        value > (before == record_.baseline->end() ? 0 : before->second))
      grown.push_back(metric);
  }
  record_.daemon_live_objects = python_agent_->sites(grown);
}

bool Engine::counted_kind_grew(const std::string& side) const {
  for (const auto& [metric, value] : *record_.final) {
    if (metric.rfind(side, 0) != 0) continue;
    auto info = find_metric(metric);
    if (info && info->source != MetricSource::kCounter) continue;
    auto before = record_.baseline->find(metric);
    if (before == record_.baseline->end() || value > before->second) return true;
  }
  return false;
}

bool Engine::grew(const std::string& metric) const {
  auto before = record_.baseline->find(metric);
  auto after = record_.final->find(metric);
  return before != record_.baseline->end() && after != record_.final->end() &&
         after->second > before->second;
}

// --profile client-heap: a failed step is a warning (profile/run_profilers.h).
void Engine::client_heap_profile(ClientHeapStep step, const std::string& when) {
  if (auto warning = profilers_.client_heap(step, when))
    record_.warnings.push_back(std::move(*warning));
}

}  // namespace leakgate
