// What a run is asked to do (RunOptions: the CLI's and the fixture's options) and what it
// ended with (RunOutcome): below the record stage, which writes the outcome, and the run stage,
// which takes the options.
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
  std::string verdict;       // "pass", "fail" or "error" (the judge's, as result.json says)
  std::string verdict_text;  // the lines printed for this test
  std::filesystem::path result_path;
  std::map<std::string, double> figures;  // "<metric>.peak", "<metric>.growth"
  // Why result.json, the page, the index or the history could not be written; "" when they
  // were. The verdict stands either way: it is printed, and this is the caller's to add.
  std::string publish_error;
};

}  // namespace leakgate
