// The scenario model: what a scenario YAML file says, validated, with source locations.
#pragma once

#include <chrono>
#include <csignal>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "leakgate/units.h"  // Millis

namespace leakgate {

struct SourceLocation {
  std::string file;
  int line = 0;             // 1-based
  int column = 0;           // 1-based
  std::string str() const;  // "file:line:column" ("file" alone when line is 0)
};

// A file the harness writes into the work directory before the daemon starts (`files:`):
// a config that needs ${PORT} or ${WORKDIR}, as testcontainers copies files into a container.
struct DaemonFile {
  std::string path;      // relative to the work directory, checked not to leave it
  std::string content;   // a template: ${VAR} expanded at run time, "$$" is "$"
  std::string source;    // the template file it was read from ("" when inline), for messages
  SourceLocation where;  // the entry in the scenario
};

struct DaemonSpec {
  std::vector<std::string> command;  // templates: ${VAR} expanded at run time
  // How leakgate knows the daemon is ready (spawn/readiness.h): a JSON line on stdout, an
  // HTTP 2xx, a port that accepts, a log line matching a regex, or sd_notify READY=1.
  enum class Ready { kStdout, kHttp, kTcp, kLog, kNotify } ready = Ready::kStdout;
  std::string ready_http_path;          // for kHttp, e.g. "/health"
  std::string ready_tcp;                // for kTcp: template, "${PORT}" or "host:port"
  std::string ready_log;                // for kLog: ECMAScript regex (checked by the parser)
  std::vector<DaemonFile> files;        // written before every start (restarts too)
  std::optional<std::string> endpoint;  // template; default: the readiness line's endpoint
  enum class Counters { kShm, kPrometheus, kNone } counters = Counters::kShm;
  std::string prometheus_path = "/metrics";
  std::vector<std::string> wrapper;        // command prefix, e.g. valgrind --track-fds=yes
  std::vector<std::string> inject;         // passed as --inject a,b
  std::map<std::string, std::string> env;  // templates
  Millis ready_timeout{10000};
  Millis stop_timeout{2000};
  bool preload = false;
  // daemon.cgroup: a per-test cgroup holds the daemon's tree where the machine allows
  // (spawn/daemon_cgroup.h); false keeps to the /proc tree walk.
  bool cgroup = true;
  // daemon.python: the Python agent (sitecustomize on PYTHONPATH) answers object counts by
  // type, tracemalloc's heap and allocation tracebacks over a socket in the work directory.
  bool python = false;
  int python_tracemalloc = 8;  // frames kept per allocation (on 3.11: one until a type grows)
  int stop_signal = SIGTERM;             // for daemons that clean up on Ctrl-C
  std::vector<int> clean_exit_codes{0};  // exit codes that count as a clean stop
};

// Whether a run gives the daemon a counter file and reads it: counters: shm, and also
// preload: true with counters: none, since the preload library publishes through one (a daemon
// that links no leakgate library still says counters: none).
inline bool reads_counter_file(const DaemonSpec& daemon) {
  return daemon.counters == DaemonSpec::Counters::kShm ||
         (daemon.preload && daemon.counters == DaemonSpec::Counters::kNone);
}

struct SettleSpec {
  Millis timeout{3000};  // give up waiting for stability after this long
  Millis window{150};    // figures unchanged for this long = settled
  // The confirmation window after settling (sample/floor_window.h): it spans two of the
  // daemon's own periods, declared here or learnt from the window's samples, at most
  // confirm_max; its floors are the baseline and final figures.
  std::optional<Millis> period;
  Millis confirm_max{3000};
};

struct Step;
using StepList = std::vector<Step>;

// An operation a project registered (leakgate/client_operations.h); the parser checks only
// the form, validate_client_steps() the names against the registered operations.
struct ClientStep {
  std::string op;
  std::map<std::string, std::string> args;  // templates
  std::string save;                         // variable receiving the operation's value (optional)
  std::string path;                         // "steps[0].client", for messages
  SourceLocation op_at;                     // where op's value is
  std::map<std::string, SourceLocation> arg_at;  // where each argument's key is
};
struct HttpStep {
  std::string method = "GET";
  std::string path;  // template
  std::map<std::string, std::string> headers;
  std::optional<std::string> body;  // JSON text (templates expanded inside strings)
  int expect = 200;
  std::map<std::string, std::string> save;  // variable -> JSON pointer into the response
};
struct ExecStep {
  std::vector<std::string> command;  // templates
  int expect_exit = 0;
  std::map<std::string, std::string> env;
};
struct SleepStep {
  Millis duration{0};
};
struct SignalStep {
  int signal = 0;  // e.g. SIGHUP; name parsed from "HUP"/"SIGHUP"
};
struct RestartStep {};
struct ParallelStep {
  int copies = 2;
  std::shared_ptr<StepList> steps;
};

struct Step {
  SourceLocation where;
  std::variant<ClientStep, HttpStep, ExecStep, SleepStep, SignalStep, RestartStep, ParallelStep>
      action;
  std::string describe() const;  // short, e.g. "client put_item", "http GET /issues"
};

// Budget limits for one metric; unset = not judged on that key.
struct Budget {
  std::optional<double> peak;      // max sample in the measured phase
  std::optional<double> growth;    // final - baseline
  std::optional<double> per_iter;  // robust slope over per-iteration checkpoints
  std::optional<double> at_exit;   // counter value after graceful stop
  std::optional<double> regress;   // fraction: peak may grow this much vs the history baseline
  SourceLocation where;
};

// The keys of a budget, in the order reports list them.
inline constexpr std::string_view kBudgetKeys[] = {"peak", "growth", "per_iter", "at_exit",
                                                   "regress"};
// &Budget::peak for "peak", ...; nullptr for a name that is not a budget key.
std::optional<double> Budget::*budget_member(std::string_view key);
// A scenario budget value written `none`: turns that key's default off (see budget_eval.h).
inline constexpr double kBudgetOff = std::numeric_limits<double>::infinity();
// `per_iter: auto`: the calibrated noise bound of this scenario and metric from the history
// database (`leakgate calibrate`); without one the key is not judged and the test fails.
inline constexpr double kBudgetAuto = -std::numeric_limits<double>::infinity();

// A leak the team knows about and allows for a while (`known_leaks:`, docs/scenario-format.md):
// while the run is before `expires`, growth of `metric` (and of its sub-metrics, daemon.fds.file
// for daemon.fds) that is attributed exactly to `site` and stays within `per_iter` does not fail.
struct KnownLeak {
  std::string metric;   // "daemon.fds"
  std::string site;     // a creation site's function or file:line; "step N" or a step's text
  double per_iter = 0;  // upper bound of the growth per iteration, in the metric's unit
  std::string reason;
  std::string issue;     // a link or an issue id
  std::string expires;   // YYYY-MM-DD: from the day after, the entry fails the test
  SourceLocation where;  // the entry (in the shared file when the scenario names one)
};

struct Scenario {
  std::string file;
  std::string name;  // test name is "leak." + name
  std::string description;
  DaemonSpec daemon;
  int warmup = 2;
  int iterations = 20;
  // A soak: the measured phase repeats its iterations until this much time has passed
  // (`duration: 10m`); then `iterations` is not set (a scenario names one or the other).
  std::optional<Millis> duration;
  // `iterations: auto`: run until every judged per-iteration trend is decided (run_until_sure.h),
  // at most max_iterations measured iterations and max_duration of measured time.
  bool iterations_auto = false;
  int max_iterations = 200;
  Millis max_duration{120000};
  double sample_hz = 200;
  SettleSpec settle;
  StepList steps;
  std::map<std::string, Budget> budgets;  // explicit, by metric name ("daemon.engines")
  // Budgets that must fail: "daemon.engines.growth", or "daemon.engines" (any key).
  std::vector<std::string> expect_violations;
  // `metrics: [widgets]`: custom counted kinds, so daemon.widgets is a metric (metrics.h).
  std::vector<std::string> declared_kinds;
  std::vector<KnownLeak> known_leaks;  // inline, or from the file `known_leaks:` names
};

}  // namespace leakgate
