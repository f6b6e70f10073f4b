// Runs one scenario end to end: daemon, warm-up, baseline, measured iterations, final,
// graceful stop, budgets, verdict, result.json. One daemon per test.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "leakgate/scenario.h"

namespace leakgate {

struct RunOptions {
  // The default of every leakgate command too ($LEAKGATE_REPORT_DIR is the CLI's to read).
  std::filesystem::path report_dir = "leak-reports";
  std::map<std::string, std::string> vars;  // --var K=V (e.g. TRACKERD)
  std::optional<int> iterations;            // overrides the scenario's
  std::optional<Millis> duration;           // overrides the scenario's (--duration)
  bool keep_workdir = false;
  enum class Progress { kAuto, kTerminal, kPlain, kQuiet } progress = Progress::kAuto;
  bool print_measurements = false;  // CTest measurement tags on stdout (--ctest)
  // Profiling runs (--profile heap,client-heap): the daemon under gperftools' heap profiler,
  // and the harness process itself, where client steps run.
  bool profile_daemon_heap = false;
  bool profile_client_heap = false;
  std::optional<double> sample_hz;  // overrides the scenario's (0: sampling thread off)
  bool drop_injections = false;     // ignore daemon.inject (proves a regression can pass)
  // --baseline / $LEAKGATE_BASELINE: results from another machine (results.json, a history
  // export, or a directory of them) that `regress:` budgets read when the history has no
  // baseline (reports::baseline_peak_from_file).
  std::filesystem::path baseline_results;
};

struct RunOutcome {
  int exit_code = 0;         // 0 pass, 1 budget violated or daemon failed
  std::string verdict_text;  // the lines printed for this test
  std::filesystem::path result_path;
  std::map<std::string, double> figures;  // "<metric>.peak", "<metric>.growth"
  // Why result.json, the page, the index or the history could not be written; "" when they
  // were. The verdict stands either way: it is printed, and this is the caller's to add.
  std::string publish_error;
};

// Never throws for a failing daemon or step: those are verdicts, nor for a report that cannot
// be published (RunOutcome::publish_error). Throws only for harness-level problems (e.g.
// cannot create the work directory).
RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace leakgate

namespace leakgate {

// Async-signal-safe: asks a running scenario to stop at the next step boundary, stop its
// daemon and write a partial report. The run's exit code is then 1. In the measured phase the
// run ends its iterations instead and is judged on what was measured ("cut short by SIGINT
// after N measured iterations / T s"); `signo` names the signal there.
void request_interrupt(int signo = 2 /* SIGINT */) noexcept;
bool interrupt_requested() noexcept;

}  // namespace leakgate
