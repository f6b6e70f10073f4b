// Everything one run observed, gathered by the runner and turned into result.json.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "judge/step_attribution.h"
#include "leakgate/counter_file.h"
#include "leakgate/daemon_process.h"
#include "leakgate/process_probe.h"
#include "leakgate/scenario.h"
#include "profile/heap_profile.h"
#include "sample/checkpoints.h"
#include "sample/floor_window.h"
#include "sample/process_tree.h"
#include "sample/source_state.h"
#include "sample/timeline.h"
#include "spawn/descendants.h"
#include "spawn/step_executor.h"

namespace leakgate {

struct PhaseSpan {
  std::string name;
  double start_s = 0;
  double end_s = 0;
};

struct RunFailure {
  std::string what;    // "daemon crashed", "step failed", "daemon not ready", ...
  std::string detail;  // the underlying message
  std::string step;    // describe() of the step, when one was running
  std::string where;   // file:line:column of that step
  int iteration = -1;  // measured iterations count from 1; warm-up ones are negative
  std::optional<ExitStatus> exit;
};

// A process the daemon started that was still alive after the daemon stopped (then killed).
struct EscapedProcess {
  pid_t pid = -1;
  std::string command_line;  // /proc/PID/cmdline, arguments joined by spaces
};

struct RunRecord {
  std::string test;
  std::string started_at;
  double duration_s = 0;
  int64_t sampler_ticks = 0;                  // the sampler thread's samples (not the runner's own)
  double sampler_cpu_s = 0;                   // the sampler thread's CPU time
  int64_t sampler_normal_priority_ticks = 0;  // taken while the CPUs were saturated
  double sampler_max_late_s = 0;              // the latest a tick came after its time
  int warmup = 0;
  int iterations = 0;
  int completed_iterations = 0;
  // iterations: auto: why the measured loop stopped (describe_stop(), run_until_sure.h).
  std::string auto_stop;
  std::vector<PhaseSpan> phases;

  std::optional<Frame> baseline;
  std::optional<Frame> final;
  Checkpoints checkpoints;  // after each measured iteration (thinned out past 2048)
  std::optional<CounterSnapshot> daemon_at_exit;
  Frame client_at_exit;  // client.<kind> after the harness closed its sessions
  bool baseline_settled = true;
  bool final_settled = true;

  // The fds open through the whole confirmation window, and the windows themselves: their
  // floors are `baseline` and `final` (sample/floor_window.h).
  std::vector<FdInfo> baseline_fds;
  std::vector<FdInfo> final_fds;
  std::optional<FloorReport> baseline_floors;
  std::optional<FloorReport> final_floors;
  nlohmann::json daemon_live_objects;  // live_objects_json of the daemon, or null
  // The same at the baseline, taken only with the preload library (heap growth sites).
  nlohmann::json daemon_live_objects_baseline;
  nlohmann::json client_live_objects;  // the harness's own registry

  Timeline timeline;
  // Set when SIGINT ended the measured phase early, e.g. "cut short by SIGINT after 812
  // iterations / 61.2 s": the run still took its final snapshot and was judged.
  std::string cut_short;
  std::vector<StepStats> steps;
  // Which step leaks: the cheap figures' change per top-level step, summed over the measured
  // iterations (bounded: one sum per step and metric).
  StepGrowth step_growth;
  std::string today;  // YYYY-MM-DD, known leaks' expiry (known_leaks_today(); else started_at's)
  std::optional<RunFailure> failure;

  std::vector<std::string> daemon_command;
  pid_t daemon_pid = -1;
  std::optional<double> daemon_cpu_s;  // utime + stime at the final snapshot
  std::optional<ExitStatus> daemon_exit;
  std::string stdout_tail;
  std::string stderr_tail;
  std::vector<std::string> warnings;

  // What delivered figures (and what did not, with the reason).
  std::vector<SourceState> sources;
  // How the daemon stopped at the end, e.g. "stopped by SIGTERM without a handler".
  std::string stop_description;
  // Set when the at-exit counters mean nothing: the daemon never ran its exit path.
  std::optional<std::string> at_exit_unmeasured;
  // Descendants of the daemon still alive after it stopped; checked only when
  // descendants_checked (the daemon stopped at the end of the run).
  bool descendants_checked = false;
  std::vector<EscapedProcess> escaped;
  // Processes exec steps started that still ran at the end (then stopped).
  std::vector<EscapedProcess> step_leftovers;
  // The daemon's tree at the final snapshot (root excluded): what daemon.children counted.
  std::vector<TreeMember> final_tree;
  // Each process of the daemon's tree (root and workers) with its own figures, at the
  // baseline and at the final snapshot: daemon.fds, .rss, .threads are their sums.
  std::vector<TreeProcessFigures> baseline_processes;
  std::vector<TreeProcessFigures> final_processes;

  std::optional<HeapGrowth> heap_growth;         // --profile heap
  std::optional<HeapGrowth> client_heap_growth;  // --profile client-heap
  // More daemon.files entries (name -> file in the work directory, copied to the report):
  // a wrapper profiler's output, the heap profile diff.
  std::map<std::string, std::string> extra_files;

  void begin_phase(const std::string& name, double t_s) {
    if (!phases.empty() && phases.back().end_s < phases.back().start_s) phases.back().end_s = t_s;
    phases.push_back(PhaseSpan{name, t_s, -1});
  }
  void end_phase(double t_s) {
    if (!phases.empty() && phases.back().end_s < phases.back().start_s) phases.back().end_s = t_s;
  }
};

}  // namespace leakgate
