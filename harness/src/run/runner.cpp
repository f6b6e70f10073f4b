#include "leakgate/runner.h"
#include "leakgate/leak_run.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <thread>

#include "judge/attribution.h"
#include "judge/judgement.h"
#include "judge/known_leaks.h"
#include "judge/run_record.h"
#include "judge/run_until_sure.h"
#include "leakgate/client_operations.h"
#include "leakgate/daemon_process.h"
#include "leakgate/metrics.h"
#include "leakgate/proc_parse.h"
#include "leakgate/registry.h"
#include "leakgate/unique_fd.h"
#include "leakgate/variables.h"
#include "profile/client_heap_profile.h"
#include "profile/heap_profile.h"
#include "profile/wrapper_outputs.h"
#include "record/calibrated_budgets.h"
#include "record/result_writer.h"
#include "run/machine_load.h"
#include "run/progress.h"
#include "run/settle.h"
#include "sample/sampler.h"
#include "sample/step_figures.h"
#include "spawn/daemon_files.h"
#include "spawn/daemon_preload.h"
#include "spawn/descendants.h"
#include "spawn/endpoint.h"
#include "spawn/live_objects_request.h"
#include "spawn/python_agent.h"
#include "spawn/readiness.h"
#include "spawn/step_executor.h"

namespace leakgate {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_interrupt_signal{SIGINT};
// Set once a measured phase ended on the interrupt (soak_phase_over): the run goes on to its
// final snapshot and verdict, so the interrupt no longer aborts it.
std::atomic<bool> g_interrupt_consumed{false};

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted by a signal") {}
};

void check_interrupt() {
  if (g_interrupted.load() && !g_interrupt_consumed.load()) throw Interrupted();
}

int free_loopback_port() {
  const UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  return port;
}

std::filesystem::path make_workdir(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/leakgate-" + name + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temp directory " + pattern + ": " +
                             std::strerror(errno));
  }
  return pattern;
}

std::string utc_now_iso() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

// utime + stime of a live process in seconds (all its threads); nullopt once it is gone.
// scripts/bench compares it with and without sampling: the harness's cost to the daemon.
std::optional<double> process_cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(file, stat)) return std::nullopt;
  const auto ticks = parse_stat_cpu_ticks(stat);
  if (!ticks) return std::nullopt;
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

// One leak test from start to verdict; run_scenario() and LeakRun drive its phases.
class Engine {
 public:
  Engine(const Scenario& scenario, const RunOptions& options)
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

  // A scenario: its steps drive the phases.
  RunOutcome run() {
    prepare();
    calibrate();  // a scenario's budgets are final: once, before the run
    guarded([this] { execute(); });
    return finish();
  }

  // The phases, for a front-end that drives them itself (leakgate::LeakTest): each records a
  // failure instead of throwing, and returns false when the test cannot go on.
  bool start() {
    return guarded([this] {
      prepare();
      start_daemon_and_sampler();
    });
  }
  bool baseline() {
    return guarded([this] { take_baseline(); });
  }
  bool checkpoint() {
    return guarded([this] {
      check_daemon_alive();
      take_checkpoint(record_.completed_iterations + 1);
    });
  }
  bool final_snapshot() {
    return guarded([this] {
      if (!record_.baseline) throw std::logic_error("the final snapshot needs a baseline first");
      record_.iterations = record_.completed_iterations;
      take_final();
    });
  }
  const std::string& endpoint() const { return endpoint_; }
  pid_t daemon_pid() const { return daemon_ ? daemon_->pid() : -1; }
  const std::filesystem::path& workdir() const { return workdir_; }
  std::string failure_text() const {
    if (!record_.failure) return {};
    return record_.failure->what + ": " + record_.failure->detail;
  }

  // Stops the daemon, judges, writes result.json and the page; removes the work directory.
  RunOutcome finish() {
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
    RunOutcome outcome = write_result(scenario_, options_, record_, judgement, workdir_);
    progress_.finish(outcome.verdict_text);
    if (!options_.keep_workdir) {
      std::error_code ec;
      std::filesystem::remove_all(workdir_, ec);
    } else {
      progress_.note("kept the work directory " + workdir_.string());
    }
    return outcome;
  }

 private:
  // The history's per_iter: auto bounds and regress: baselines, read once (load_calibration).
  void calibrate() {
    if (!calibration_) calibration_ = load_calibration(scenario_, record_.test, options_);
  }

  // Everything before the daemon starts: work directory, variables, descendants, profilers.
  void prepare() {
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
    if (options_.profile_daemon_heap) {
      heap_profiler_ = std::make_unique<HeapProfiler>(workdir_);
    }
    if (options_.profile_client_heap) {
      client_heap_profiler_ = std::make_unique<ClientHeapProfiler>(workdir_);
    }
  }

  template <class Phase>
  bool guarded(Phase phase) {
    try {
      phase();
      return true;
    } catch (const Interrupted& e) {
      fail("interrupted", e.what());
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

  void fail(const std::string& what, const std::string& detail, const std::string& step = {},
            const std::string& where = {}) {
    if (record_.failure) return;
    RunFailure failure{what, detail, step, where, current_iteration_, std::nullopt};
    if (daemon_) failure.exit = daemon_->poll_exit();
    if (failure.exit && what == "step failed") failure.what = "daemon crashed";
    record_.failure = failure;
  }

  std::string counter_path() const {
    return (workdir_ / ("counters." + std::to_string(starts_))).string();
  }

  void start_daemon() {
    const DaemonSpec& spec = scenario_.daemon;
    DaemonLaunch launch;
    for (const auto& arg : spec.wrapper) launch.argv.push_back(expand_variables(arg, vars_));
    for (const auto& arg : spec.command) launch.argv.push_back(expand_variables(arg, vars_));
    if (!spec.wrapper.empty() && launch.argv.size() > spec.wrapper.size()) {
      // The daemon starts in its work directory and DaemonProcess only anchors argv[0] (the
      // wrapper): a relative daemon path means relative to ours.
      std::string& exe = launch.argv[spec.wrapper.size()];
      if (exe.find('/') != std::string::npos && exe.front() != '/') {
        exe = std::filesystem::absolute(exe).lexically_normal().string();
      }
    }
    if (!daemon_inject_.empty()) {
      std::string joined;
      for (const auto& name : daemon_inject_) joined += (joined.empty() ? "" : ",") + name;
      launch.argv.push_back("--inject");
      launch.argv.push_back(joined);
    }
    for (const auto& [key, value] : spec.env) launch.env[key] = expand_variables(value, vars_);
    if (spec.counters == DaemonSpec::Counters::kShm) {
      launch.env["LEAKGATE_COUNTERS"] = counter_path();
    }
    launch.env["LEAKGATE_STACKS"] = "1";
    launch.env[descendants_.marker_env().first] = descendants_.marker_env().second;
    if (heap_profiler_) heap_profiler_->add_environment(launch.env);
    if (spec.preload) add_ld_preload(launch.env, leakgate_preload_library());
    if (spec.preload && starts_ == 0) {  // said before the start: the hooks cannot count it
      if (auto limit = preload_heap_limit(launch.argv)) record_.warnings.push_back(*limit);
    }
    if (spec.python) {  // spawn/python_agent.h
      python_agent_ = std::make_unique<PythonAgent>(workdir_, spec.python_tracemalloc);
      python_agent_->add_environment(launch.env);
    }
    launch.workdir = workdir_;
    launch.log_prefix = starts_ == 0 ? "daemon" : "daemon.restart" + std::to_string(starts_);
    record_.daemon_command = launch.argv;

    phase_failure_ = "daemon failed to start";
    write_daemon_files(spec.files, vars_, workdir_);  // daemon.files
    DaemonReadiness readiness(spec, vars_, workdir_);  // ready: tcp, log, notify
    readiness.add_environment(launch.env);             // NOTIFY_SOCKET
    daemon_ = std::make_unique<DaemonProcess>(std::move(launch));
    // What is left in its group when it exits is judged (escaped) before it is killed.
    daemon_->set_group_kill_on_exit(false);
    descendants_.set_root(daemon_->pid());  // the spawned process (a wrapper, if any)
    record_.daemon_pid = daemon_->pid();
    phase_failure_ = "daemon not ready";
    readiness.wait(*daemon_);
    std::string endpoint;
    if (spec.ready == DaemonSpec::Ready::kStdout) {
      const ReadyInfo ready = daemon_->wait_ready_stdout(spec.ready_timeout);
      endpoint = ready.endpoint;
      // Behind a wrapper that forks (heaptrack), the readiness line names the real daemon.
      if (!spec.wrapper.empty() && daemon_->adopt(ready.reported_pid)) {
        record_.daemon_pid = daemon_->pid();
        descendants_.set_root(daemon_->pid());  // daemon.children: the daemon's, not the wrapper's
      }
    }
    if (spec.endpoint) endpoint = expand_variables(*spec.endpoint, vars_);
    // An HTTP daemon with no readiness line: the port leakgate picked for it (${PORT}).
    if (endpoint.empty() && spec.ready == DaemonSpec::Ready::kHttp) {
      endpoint = "http://127.0.0.1:" + vars_["PORT"];
    }
    if (spec.ready == DaemonSpec::Ready::kHttp) {
      daemon_->wait_ready(spec.ready_timeout, [&] { return http_ready(endpoint); });
    }
    endpoint_ = endpoint;
    vars_["ENDPOINT"] = endpoint;
    phase_failure_ = "daemon failed";

    CounterSource counters;
    if (spec.counters == DaemonSpec::Counters::kShm) {
      counters.kind = CounterSource::Kind::kShm;
      counters.counter_path = counter_path();
    } else if (spec.counters == DaemonSpec::Counters::kPrometheus) {
      counters.kind = CounterSource::Kind::kPrometheus;
      counters.endpoint = endpoint;
      counters.scrape_path = spec.prometheus_path;
    }
    counters.preload = spec.preload;  // the sampler reports the preload heap and fds sources
    sampler_.attach_daemon(daemon_->pid(), counters);
    ++starts_;
  }

  bool http_ready(const std::string& endpoint);

  void restart_daemon() {
    stop_daemon_now();
    collect_escaped();
    start_daemon();
  }

  // The daemon's descendants still alive after it stopped: named in the record, then stopped
  // (SIGTERM, SIGKILL after the stop timeout), then whatever else is left in its group. As
  // systemd stops a service, the stop signal reaches the rest of the daemon's process group
  // too (a shell's foreground child), and what ends within the stop timeout did not escape.
  void collect_escaped() {
    daemon_->signal_group(scenario_.daemon.stop_signal);
    const auto deadline = std::chrono::steady_clock::now() + scenario_.daemon.stop_timeout;
    while (!descendants_.alive_after_root().empty() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const Descendant& d : descendants_.stop_all(scenario_.daemon.stop_timeout)) {
      record_.escaped.push_back(EscapedProcess{d.pid, d.command_line});
    }
    daemon_->kill_group();
  }

  // Whatever an exec step started and left running (in its own session, too: orphans come to
  // the harness, the subreaper) is named and stopped once the final snapshot is taken.
  void stop_step_leftovers() {
    const auto left = step_processes_.stop_all(std::chrono::milliseconds(2000));
    for (const Descendant& d : left) {
      record_.step_leftovers.push_back(EscapedProcess{d.pid, d.command_line});
    }
    if (left.empty()) return;
    std::string names;
    for (size_t i = 0; i < left.size() && i < 3; ++i) {
      const std::string& line = left[i].command_line;  // all of it in result.json
      names += (i ? ", " : "") + std::to_string(left[i].pid) + " " +
               (line.size() > 60 ? line.substr(0, 57) + "..." : line);
    }
    if (left.size() > 3) names += " and " + std::to_string(left.size() - 3) + " more";
    record_.warnings.push_back("exec steps left " + std::to_string(left.size()) +
                               " process(es) running, stopped after the final snapshot: pid " +
                               names);
  }

  ExitStatus stop_daemon_now() {
    sampler_.detach_daemon();  // a stopping daemon's figures are not part of the run
    const ExitStatus status =
        daemon_->stop(scenario_.daemon.stop_timeout, scenario_.daemon.stop_signal);
    collect_daemon_output();
    return status;
  }

  void collect_daemon_output() {
    record_.stdout_tail = daemon_->stdout_tail();
    record_.stderr_tail = daemon_->stderr_tail();
    record_.daemon_exit = daemon_->poll_exit();
  }

  void run_iterations(int count, bool measured) {
    if (measured) measured_since_ = std::chrono::steady_clock::now();
    watch_steps(measured);
    for (int i = 1; i <= count; ++i) {
      if (measured && soak_phase_over()) break;
      check_interrupt();
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
  }

  double measured_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - measured_since_)
        .count();
  }

  // Before each measured iteration: a soak's measured phase ends once its duration has
  // passed; an interrupt (SIGINT) ends any measured phase early, and the run still takes its
  // final snapshot and is judged on what was measured.
  bool soak_phase_over() {
    if (g_interrupted.load() && !g_interrupt_consumed.load()) {
      g_interrupt_consumed = true;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", measured_seconds());
      record_.cut_short = "cut short by " + signal_name(g_interrupt_signal.load()) + " after " +
                          std::to_string(record_.completed_iterations) + " measured iterations / " +
                          seconds + " s: judged on what was measured so far";
      return true;
    }
    return duration_ && measured_seconds() * 1e3 >= static_cast<double>(duration_->count());
  }

  // iterations: auto (judge/run_until_sure.h): whether the measured loop stops after
  // `iteration`, because every per-iteration trend is decided or a limit is reached; the
  // reason goes into the verdict.
  bool sure_enough(int iteration, const Frame& checkpoint) {
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

  // Which step leaks (judge/step_attribution.h): in measured iterations, the cheap figures after
  // every top-level step, their change summed per step into record_.step_growth.
  void watch_steps(bool measured) {
    if (!measured) {
      executor_->set_after_step({});
      return;
    }
    if (options_.sample_hz.value_or(scenario_.sample_hz) <= 0) return;  // sampling off
    step_figures_ = step_probe().read();
    step_figures_at_ = std::chrono::steady_clock::now();
    executor_->set_after_step([this](size_t step) { add_step_growth(step); });
  }

  // The change since the last reading goes to `step` (StepGrowth::kBetween: the time between
  // two iterations), with the time it took: growth that follows the clock shows as such.
  void add_step_growth(size_t step) {
    Frame now = read_step_figures();
    const auto t = std::chrono::steady_clock::now();
    record_.step_growth.add(step, step_figures_, now,
                            std::chrono::duration<double>(t - step_figures_at_).count());
    step_figures_ = std::move(now);
    step_figures_at_ = t;
  }

  // The current daemon's (a restart step starts a new one).
  StepFigures& step_probe() {
    if (!step_probe_ || step_probe_->daemon_pid() != daemon_->pid()) {
      const bool shm = scenario_.daemon.counters == DaemonSpec::Counters::kShm;
      step_probe_.emplace(daemon_->pid(), shm ? counter_path_of_current() : std::string());
    }
    return *step_probe_;
  }

  // A figure that moved may be a connection the daemon is about to close: as settle() does
  // before a snapshot, in small, read again 1 ms later until two readings agree (4 at most).
  // A step that changes nothing costs one reading.
  Frame read_step_figures() {
    Frame now = step_probe().read();
    for (int i = 0; i < 3 && !same_settle_figures(step_figures_, now); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      Frame again = step_probe().read();
      if (same_settle_figures(now, again)) break;
      now = std::move(again);
    }
    return now;
  }

  // Before the baseline: the probe's own fds (the harness's) are then in the baseline, the
  // measured phase and the final snapshot alike.
  void reset_step_growth() {
    std::vector<std::string> names;
    for (const Step& step : scenario_.steps) names.push_back(step.describe());
    record_.step_growth = StepGrowth(std::move(names));
    for (size_t i = 0; i < scenario_.steps.size(); ++i)
      record_.step_growth.idle[i] = std::holds_alternative<SleepStep>(scenario_.steps[i].action);
    if (options_.sample_hz.value_or(scenario_.sample_hz) > 0)
      record_.step_growth.prepare(step_probe().read());
  }

  void check_daemon_alive() {
    if (!daemon_->running()) throw StepFailure("", "", "the daemon exited during the iteration");
  }

  // After measured iteration `iteration`: a sample of everything, for per_iter slopes.
  Frame take_checkpoint(int iteration) {
    // The daemon refreshes its published heap figure every 2 ms: give it one refresh after
    // the iteration, or a fast iteration's leak shows up one checkpoint late.
    if (publishes_heap_) std::this_thread::sleep_for(std::chrono::milliseconds(3));
    Frame checkpoint = sampler_.sample_now(true);
    if (python_agent_ && !python_agent_->add_to_checkpoint(checkpoint))
      throw DaemonError(python_agent_->error());
    sampler_.mark_peak_window();  // the measured window's peaks reach this checkpoint
    record_.checkpoints.add(iteration, sampler_.seconds_since_start(), checkpoint);
    record_.completed_iterations = iteration;
    return checkpoint;
  }

  // The harness's own client keeps its connection alive between steps, and a daemon closes
  // an idle one on its own timer (after a second or so): whether the baseline or the final
  // snapshot counted it would depend on how long settling took. Closed before both, the
  // daemon's socket for it is gone at both; sessions that a leaky client never closes stay.
  void close_idle_clients() {
    if (executor_) executor_->close_clients();
  }

  void start_daemon_and_sampler() {
    record_.begin_phase("startup", 0);
    progress_.phase("starting daemon");
    start_daemon();
    sampler_.start();
    DaemonControl control{[this] { return endpoint_; },
                          [this](int signo) { return daemon_->signal(signo); },
                          [this] { restart_daemon(); }};
    executor_ = std::make_unique<StepExecutor>(scenario_, control, client_injections_);
    executor_->set_exec_marker(step_processes_.marker_env());
    client_heap_profile(&ClientHeapProfiler::start, "at the start");
    record_.begin_phase("warmup", sampler_.seconds_since_start());
  }

  void execute() {
    start_daemon_and_sampler();
    run_iterations(scenario_.warmup, false);
    take_baseline();
    run_iterations(record_.iterations, true);
    take_final();
  }

  // Settles, then the baseline the measured iterations are judged against. Again later (a
  // LeakTest's warmup_done()): what ran since the first baseline becomes warm-up.
  void take_baseline() {
    if (record_.baseline) {
      if (!record_.phases.empty() && record_.phases.back().name == "measured") {
        record_.phases.back().name = "warmup";
      }
      record_.checkpoints.clear();
      record_.completed_iterations = 0;
    }
    reset_step_growth();
    record_.begin_phase("settle", sampler_.seconds_since_start());
    progress_.phase("settling for the baseline");
    close_idle_clients();
    record_.baseline_settled = settle(sampler_, scenario_.settle, *daemon_, check_interrupt);
    take_floors(record_.baseline, record_.baseline_fds, record_.baseline_floors, "baseline");
    record_.baseline_processes = sampler_.tree_figures();
    name_by_command_line(record_.baseline_processes);
    if (!record_.baseline_settled && daemon_->running()) {
      record_.warnings.push_back("figures did not settle before the baseline within " +
                                 std::to_string(scenario_.settle.timeout.count()) + " ms");
    }
    publishes_heap_ = record_.baseline->count("daemon.heap") > 0;
    if (python_agent_ && !python_agent_->at_baseline()) throw DaemonError(python_agent_->error());
    // The preload library's sampled allocations at the baseline: heap growth sites are the
    // difference to the final dump (judgement.cpp).
    if (scenario_.daemon.preload) {
      record_.daemon_live_objects_baseline =
          request_daemon_live_objects(*daemon_, counter_path_of_current());
    }
    if (heap_profiler_ && !heap_profiler_->dump_baseline(daemon_->pid())) {
      record_.warnings.push_back("heap profile at the baseline: " + heap_profiler_->error());
    }
    record_.begin_phase("measured", sampler_.seconds_since_start());
    sampler_.open_peak_window();
    // After the baseline's bookkeeping, right before the measured steps.
    client_heap_profile(&ClientHeapProfiler::dump_baseline, "at the baseline");
  }

  // Settles, then the final snapshot, its fds and, when something grew, where it was made.
  void take_final() {
    record_.begin_phase("settle", sampler_.seconds_since_start());
    progress_.phase("settling for the final snapshot");
    close_idle_clients();
    record_.final_settled = settle(sampler_, scenario_.settle, *daemon_, check_interrupt);
    // Before the final snapshot's own frame and fd list: the harness's bookkeeping is no growth.
    client_heap_profile(&ClientHeapProfiler::dump_final, "at the final snapshot");
    if (client_heap_profiler_) client_heap_profiler_->stop();
    take_floors(record_.final, record_.final_fds, record_.final_floors, "final");
    record_.final_tree = descendants_.members();  // as the window's last sample scanned it
    record_.final_processes = sampler_.tree_figures();
    name_by_command_line(record_.final_processes);
    if (!record_.final_settled && daemon_->running()) {
      record_.warnings.push_back("figures did not settle before the final snapshot within " +
                                 std::to_string(scenario_.settle.timeout.count()) + " ms");
    }
    if (heap_profiler_ && !heap_profiler_->dump_final(daemon_->pid())) {
      record_.warnings.push_back("heap profile at the final snapshot: " + heap_profiler_->error());
    }
    record_.daemon_cpu_s = process_cpu_seconds(daemon_->pid());
    if (python_agent_) python_final();
    // Symbolizing creation stacks costs a few hundred ms: only when a counted kind grew
    // (or, with the preload library, the fds or the heap it records).
    if (python_agent_) {  // the agent answered above; the daemon catches no SIGUSR2
    } else if (counted_kind_grew("daemon.") ||
        (scenario_.daemon.preload && (grew("daemon.fds") || grew("daemon.heap")))) {
      record_.daemon_live_objects =
          request_daemon_live_objects(*daemon_, counter_path_of_current());
    }
    if (counted_kind_grew("client.")) {
      record_.client_live_objects =
          nlohmann::json::parse(Registry::global().live_objects_json(), nullptr, false);
    }
  }

  // The snapshot: the floors of a confirmation window (run/settle.h), so what the daemon holds
  // for a moment (a periodic export file) is reported as transient, never as growth.
  void take_floors(std::optional<Frame>& frame, std::vector<FdInfo>& fds,
                   std::optional<FloorReport>& floors, const std::string& which) {
    const Frame* reference = &frame == &record_.final && record_.baseline ? &*record_.baseline
                                                                          : nullptr;
    FloorReport report =
        confirm_floors(sampler_, scenario_.settle, *daemon_, check_interrupt, reference);
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
  }

  // The Python agent's figures join the final snapshot; for the types that grew, where a
  // sample of their live objects was allocated, as the live-objects dump judgement.cpp reads.
  void python_final() {
    if (!python_agent_->add_to_final(*record_.final, *record_.baseline))
      throw DaemonError(python_agent_->error());
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

  bool counted_kind_grew(const std::string& side) const {
    for (const auto& [metric, value] : *record_.final) {
      if (metric.rfind(side, 0) != 0) continue;
      auto info = find_metric(metric);
      if (info && info->source != MetricSource::kCounter) continue;
      auto before = record_.baseline->find(metric);
      if (before == record_.baseline->end() || value > before->second) return true;
    }
    return false;
  }

  bool grew(const std::string& metric) const {
    auto before = record_.baseline->find(metric);
    auto after = record_.final->find(metric);
    return before != record_.baseline->end() && after != record_.final->end() &&
           after->second > before->second;
  }

  // --profile client-heap: one note for the first step that fails (the later ones are moot);
  // diff() reports it as client_heap_growth_error.
  void client_heap_profile(bool (ClientHeapProfiler::*step)(), const std::string& when) {
    if (!client_heap_profiler_ || !client_heap_profiler_->error().empty()) return;
    if (!(client_heap_profiler_.get()->*step)()) {
      record_.warnings.push_back("client heap profile " + when + ": " +
                                 client_heap_profiler_->error());
    }
  }

  // After the stop: the heap profile diffs, and what a wrapper profiler wrote.
  void collect_profiles() {
    auto keep_files = [this](const HeapGrowth& growth) {
      for (const auto& file : {growth.text_file, growth.svg_file}) {
        if (!file.empty()) record_.extra_files[file] = file;
      }
    };
    if (heap_profiler_ && daemon_) {
      progress_.phase("diffing heap profiles (google-pprof)");
      record_.heap_growth = heap_profiler_->diff();
      keep_files(*record_.heap_growth);
    }
    if (client_heap_profiler_) {
      client_heap_profiler_->stop();  // a run that failed before the final snapshot
      progress_.phase("diffing client heap profiles (google-pprof)");
      record_.client_heap_growth = client_heap_profiler_->diff();
      keep_files(*record_.client_heap_growth);
    }
    for (const auto& file : wrapper_outputs(workdir_)) record_.extra_files[file] = file;
  }

  std::string counter_path_of_current() const {
    return (workdir_ / ("counters." + std::to_string(starts_ - 1))).string();
  }

  void shutdown_daemon() {
    record_.begin_phase("shutdown", sampler_.seconds_since_start());
    if (executor_) executor_->close_clients();
    for (const auto& kind : Registry::global().snapshot()) {
      record_.client_at_exit["client." + kind.name] = static_cast<double>(kind.live);
    }
    if (daemon_) {
      progress_.phase("stopping daemon");
      const bool was_running = daemon_->running();
      const ExitStatus status = stop_daemon_now();
      if (was_running) {
        const StopVerdict stop =
            judge_stop(status, scenario_.daemon.stop_signal, scenario_.daemon.clean_exit_codes);
        record_.stop_description = stop.description;
        if (!stop.ran_exit_path) {
          record_.at_exit_unmeasured =
              stop.description +
              ": its exit path did not run, so at-exit figures were not measured";
        }
        if (status.killed_after_timeout) {
          fail("daemon hung on shutdown",
               "sent " + signal_name(scenario_.daemon.stop_signal) + ", then SIGKILL after " +
                   std::to_string(scenario_.daemon.stop_timeout.count()) + " ms");
        } else if (!stop.clean) {
          fail("daemon failed on shutdown", stop.description);
        }
      }
      if (scenario_.daemon.counters == DaemonSpec::Counters::kShm) {
        record_.daemon_at_exit = sampler_.read_counters();
      }
      collect_escaped();
      record_.descendants_checked = true;
      if (python_agent_) {
        for (auto& warning : python_agent_->resource_warnings())
          record_.warnings.push_back(std::move(warning));
      }
    }
    stop_step_leftovers();
    record_.end_phase(sampler_.seconds_since_start());
  }

  const Scenario& scenario_;
  const RunOptions& options_;
  std::chrono::steady_clock::time_point t0_;
  DescendantTracker descendants_;  // before sampler_: its threads scan through it
  DescendantTracker step_processes_;  // what exec steps started (their marker), stopped at the end
  Sampler sampler_;
  Progress progress_;
  RunRecord record_;
  std::filesystem::path workdir_;
  Vars vars_;
  std::vector<std::string> daemon_inject_;
  std::vector<std::string> client_injections_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<StepExecutor> executor_;
  std::unique_ptr<HeapProfiler> heap_profiler_;               // --profile heap
  std::unique_ptr<PythonAgent> python_agent_;                 // daemon.python
  std::unique_ptr<ClientHeapProfiler> client_heap_profiler_;  // --profile client-heap
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
  std::optional<StepFigures> step_probe_;  // watch_steps
  Frame step_figures_;                     // after the last step run
  std::chrono::steady_clock::time_point step_figures_at_;
  std::optional<double> load_at_start_;  // the machine's load average as the run began
};

bool Engine::http_ready(const std::string& endpoint) {
  return probe_http_ready(endpoint, scenario_.daemon.ready_http_path);
}

void request_interrupt(int signo) noexcept {
  g_interrupt_signal.store(signo);
  g_interrupted.store(true);
}
bool interrupt_requested() noexcept { return g_interrupted.load(); }

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
