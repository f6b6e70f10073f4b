// The Engine: one leak test from start to verdict, its phases split over run/engine_*.cpp.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "judge/run_calibration.h"
#include "judge/run_record.h"
#include "leakgate/daemon_process.h"
#include "leakgate/runner.h"
#include "leakgate/variables.h"
#include "profile/run_profilers.h"
#include "run/interrupt.h"
#include "run/progress.h"
#include "run/settle.h"
#include "sample/sampler.h"
#include "sample/step_figures.h"
#include "spawn/daemon_cgroup.h"
#include "spawn/descendants.h"
#include "spawn/python_agent.h"
#include "spawn/step_executor.h"

namespace leakgate {

// run_scenario() and LeakRun drive its phases.
class Engine {
 public:
  Engine(const Scenario& scenario, const RunOptions& options);

  // A scenario: its steps drive the phases.
  RunOutcome run();

  // The phases, for a front-end that drives them itself (leakgate::LeakTest): each records a
  // failure instead of throwing, and returns false when the test cannot go on.
  bool start();
  bool baseline();
  bool checkpoint();
  bool final_snapshot();
  const std::string& endpoint() const { return endpoint_; }
  pid_t daemon_pid() const { return daemon_ ? daemon_->pid() : -1; }
  const std::filesystem::path& workdir() const { return workdir_; }
  std::string failure_text() const;

  // Stops the daemon, judges, writes result.json and the page; removes the work directory.
  RunOutcome finish();

 private:
  // engine_prepare.cpp
  void prepare();
  // The history's per_iter: auto bounds and regress: baselines, read once (load_calibration).
  void calibrate();

  // engine_failures.cpp
  bool guarded(const std::function<bool()>& phase);  // the phase's result, false on a failure
  void fail(const std::string& what, const std::string& detail, const std::string& step = {},
            const std::string& where = {});
  // An interrupt not yet consumed by a measured phase: the run is abandoned as "interrupted".
  bool abandoned_on_interrupt();
  // For settle() and confirm_floors(): whether to abandon the wait.
  StopRequested stop_requested() const {
    return [this] { return interrupt_.abandons(); };
  }

  // engine_daemon.cpp
  std::string counter_path() const;
  std::string counter_path_of_current() const;
  void start_daemon();
  bool http_ready(const std::string& endpoint);
  void restart_daemon();
  void collect_escaped();
  void enter_cgroup(DaemonLaunch& launch);
  void check_cgroup_joined();
  void forget_cgroup();
  void stop_step_leftovers();
  ExitStatus stop_daemon_now();
  void collect_daemon_output();
  void shutdown_daemon();

  // engine_measured.cpp
  void start_daemon_and_sampler();
  bool execute();
  bool run_iterations(int count, bool measured);
  double measured_seconds() const;
  bool soak_phase_over();
  bool sure_enough(int iteration, const Frame& checkpoint);
  void check_daemon_alive();
  Frame take_checkpoint(int iteration);

  // engine_steps.cpp
  void watch_steps(bool measured);
  void add_step_growth(size_t step);
  StepFigures& step_probe();
  Frame read_step_figures();
  void reset_step_growth();

  // engine_snapshots.cpp
  void close_idle_clients();
  bool settle_for(const std::string& snapshot, bool& settled);
  bool take_baseline();
  bool take_final();
  bool take_floors(std::optional<Frame>& frame, std::vector<FdInfo>& fds,
                   std::optional<FloorReport>& floors, const std::string& which);
  void python_final();
  bool counted_kind_grew(const std::string& side) const;
  bool grew(const std::string& metric) const;

  void client_heap_profile(ClientHeapStep step, const std::string& when);

  // engine_finish.cpp
  void collect_profiles();

  const Scenario& scenario_;
  const RunOptions& options_;
  std::chrono::steady_clock::time_point t0_;
  RunInterrupt interrupt_;
  DescendantTracker descendants_;  // before sampler_: its threads scan through it
  DescendantTracker step_processes_;  // what exec steps started (their marker), stopped at the end
  std::unique_ptr<DaemonCgroup> cgroup_;  // before sampler_ (read by its threads) and daemon_
  Sampler sampler_;
  Progress progress_;
  RunRecord record_;
  std::filesystem::path workdir_;
  Vars vars_;
  std::vector<std::string> daemon_inject_;
  std::vector<std::string> client_injections_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<StepExecutor> executor_;
  RunProfilers profilers_;                    // --profile heap,client-heap
  std::unique_ptr<PythonAgent> python_agent_;  // daemon.python
  std::string endpoint_;
  std::string phase_failure_ = "daemon failed";
  int starts_ = 0;
  int current_iteration_ = 0;
  bool publishes_heap_ = false;
  std::optional<Millis> duration_;  // a soak: the measured phase's length
  std::chrono::steady_clock::time_point measured_since_;
  // iterations: auto: the checkpoints so far by metric, and the budgets with per_iter: auto
  // resolved from the calibration (sure_enough()).
  std::map<std::string, std::vector<double>> auto_series_;
  std::optional<RunCalibration> calibration_;  // calibrate()
  Millis stop_timeout_used_{0};  // the last stop's, stretched for the load (stop_daemon_now)
  std::optional<StepFigures> step_probe_;  // watch_steps
  Frame step_figures_;                     // after the last step run
  std::chrono::steady_clock::time_point step_figures_at_;
  std::optional<double> load_at_start_;  // the machine's load average as the run began
};

}  // namespace leakgate
