// Daemon lifecycle: start, restart, stop, and what its tree and the exec steps left.
#include "run/engine.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "judge/stop_verdict.h"
#include "leakgate/registry.h"
#include "leakgate/time_limit.h"
#include "run/machine_load.h"
#include "spawn/daemon_files.h"
#include "spawn/daemon_preload.h"
#include "spawn/endpoint.h"
#include "spawn/readiness.h"
#include "spawn/readiness_parts.h"  // never_ready_message

namespace leakgate {

std::string Engine::counter_path() const {
  return (workdir_ / ("counters." + std::to_string(starts_))).string();
}

void Engine::start_daemon() {
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
  if (reads_counter_file(spec)) {
    launch.env["LEAKGATE_COUNTERS"] = counter_path();
  }
  launch.env["LEAKGATE_STACKS"] = "1";
  launch.env[descendants_.marker_env().first] = descendants_.marker_env().second;
  profilers_.add_environment(launch.env);
  if (spec.preload) add_ld_preload(launch.env, leakgate_preload_library());
  if (spec.preload && starts_ == 0) {  // said before the start: the hooks cannot count it
    if (auto limit = preload_heap_limit(launch.argv)) record_.warnings.push_back(*limit);
  }
  if (spec.python) {  // spawn/python_agent.h
    python_agent_ = std::make_unique<PythonAgent>(workdir_, spec.python_tracemalloc);
    python_agent_->add_environment(launch.env);
  }
  enter_cgroup(launch);
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
  check_cgroup_joined();
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
    try {
      daemon_->wait_ready(spec.ready_timeout, [&] { return http_ready(endpoint); });
    } catch (const DaemonError&) {
      if (!daemon_->running()) throw;  // it exited: that message says more
      // Like the other kinds: what was polled and for how long (issue 26: the page and the
      // console said only "daemon not ready after 1000 ms").
      throw DaemonError(never_ready_message("http", endpoint + scenario_.daemon.ready_http_path,
                                            "no GET answered 2xx", spec.ready_timeout, ""));
    }
  }
  endpoint_ = endpoint;
  vars_["ENDPOINT"] = endpoint;
  phase_failure_ = "daemon failed";
  if (python_agent_ && !python_agent_->start_tracing()) throw DaemonError(python_agent_->error());

  CounterSource counters;
  if (reads_counter_file(spec)) {
    counters.kind = CounterSource::Kind::kShm;
    counters.counter_path = counter_path();
  } else if (spec.counters == DaemonSpec::Counters::kPrometheus) {
    counters.kind = CounterSource::Kind::kPrometheus;
    counters.endpoint = endpoint;
    counters.scrape_path = spec.prometheus_path;
  }
  counters.preload = spec.preload;  // the sampler reports the preload heap and fds sources
  sampler_.attach_daemon(daemon_->pid(), counters);
  sampler_.account_cgroup_with(cgroup_.get());
  ++starts_;
}

// daemon.cgroup: one cgroup for the run, made at the first start and kept across restarts.
// Where the machine has none, one warning and the /proc tree walk alone: never a failure.
void Engine::enter_cgroup(DaemonLaunch& launch) {
  if (!scenario_.daemon.cgroup) return;
  if (starts_ == 0) {
    std::string why_not;
    cgroup_ = DaemonCgroup::create(scenario_.name, why_not);
    if (cgroup_) {
      descendants_.recognise_also(
          [cgroup = cgroup_.get()](pid_t pid) { return cgroup->holds(pid); });
    } else {
      record_.warnings.push_back("no per-test cgroup (" + why_not +
                                 "): the daemon's tree is accounted by the /proc walk alone, "
                                 "without daemon.cgroup.* figures");
    }
  }
  if (cgroup_) launch.cgroup_procs_fds = cgroup_->join_fds();
}

void Engine::check_cgroup_joined() {
  if (!cgroup_ || cgroup_->holds(daemon_->pid()) || !daemon_->running()) return;
  record_.warnings.push_back("the daemon did not enter its cgroup " + cgroup_->dirs().front() +
                             ": the /proc tree walk alone accounts it");
  forget_cgroup();
}

void Engine::forget_cgroup() {
  sampler_.account_cgroup_with(nullptr);
  descendants_.recognise_also({});
  cgroup_.reset();
}

bool Engine::http_ready(const std::string& endpoint) {
  return probe_http_ready(endpoint, scenario_.daemon.ready_http_path);
}

void Engine::restart_daemon() {
  stop_daemon_now();
  collect_escaped();
  start_daemon();
}

// The daemon's descendants still alive after it stopped: named in the record, then stopped
// (SIGTERM, SIGKILL after the stop timeout), then whatever else is left in its group. As
// systemd stops a service, the stop signal reaches the rest of the daemon's process group
// too (a shell's foreground child), and what ends within the stop timeout did not escape.
void Engine::collect_escaped() {
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
  if (!cgroup_) return;
  // Nothing escapes the cgroup: what the walk missed (a double fork that also dropped the
  // run marker from its environment) is named and stopped too.
  for (const Descendant& d : cgroup_->living()) {
    const bool named = std::any_of(record_.escaped.begin(), record_.escaped.end(),
                                   [&](const EscapedProcess& e) { return e.pid == d.pid; });
    if (!named) record_.escaped.push_back(EscapedProcess{d.pid, d.command_line});
  }
  cgroup_->stop_all(scenario_.daemon.stop_signal, scenario_.daemon.stop_timeout);
}

// Whatever an exec step started and left running (in its own session, too: orphans come to
// the harness, the subreaper) is named and stopped once the final snapshot is taken.
void Engine::stop_step_leftovers() {
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

ExitStatus Engine::stop_daemon_now() {
  sampler_.detach_daemon();  // a stopping daemon's figures are not part of the run
  const Millis declared = scenario_.daemon.stop_timeout;
  const std::optional<double> load = load_average();
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  stop_timeout_used_ = std::chrono::duration_cast<Millis>(
      declared * load_stretch(load, cpus, kMaxStopStretch));
  const auto started = std::chrono::steady_clock::now();
  const ExitStatus status = daemon_->stop(stop_timeout_used_, scenario_.daemon.stop_signal);
  const auto took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  if (!status.killed_after_timeout && took > declared) {
    char note[200];
    std::snprintf(note, sizeof note,
                  "the daemon took %.1f s to stop, beyond its stop_timeout of %.1f s, on a loaded "
                  "machine (load average %.1f on %ld CPUs): slow, not hung",
                  took.count() / 1000.0, declared.count() / 1000.0, load.value_or(0), cpus);
    record_.warnings.push_back(note);
  }
  collect_daemon_output();
  return status;
}

void Engine::collect_daemon_output() {
  record_.stdout_tail = daemon_->stdout_tail();
  record_.stderr_tail = daemon_->stderr_tail();
  record_.daemon_exit = daemon_->poll_exit();
}

std::string Engine::counter_path_of_current() const {
  return (workdir_ / ("counters." + std::to_string(starts_ - 1))).string();
}

void Engine::shutdown_daemon() {
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
                 std::to_string(stop_timeout_used_.count()) + " ms");
      } else if (!stop.clean) {
        fail("daemon failed on shutdown", stop.description);
      }
    }
    if (reads_counter_file(scenario_.daemon)) {
      record_.daemon_at_exit = sampler_.read_counters();
    }
    collect_escaped();
    record_.descendants_checked = true;
    forget_cgroup();  // empty by now: its directories go
    if (python_agent_) {
      for (auto& warning : python_agent_->resource_warnings())
        record_.warnings.push_back(std::move(warning));
    }
  }
  stop_step_leftovers();
  record_.end_phase(sampler_.seconds_since_start());
}

}  // namespace leakgate
