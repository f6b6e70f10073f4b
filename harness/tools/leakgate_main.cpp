// leakgate: leak-regression harness. Every subcommand's name and --help text are in the table
// below; each fills itself in from its own file (commands.h).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command_line_typos.h"
#include "commands.h"

namespace {

// A top-level subcommand: what `leakgate --help` lists, and the function that fills it in.
struct SubcommandRow {
  const char* name;
  const char* about;
  void (*define)(CLI::App& command, int* exit_code);
};

// In the order of `leakgate --help`.
const SubcommandRow kSubcommands[] = {
    {"probe",
     "Print a process's resource metrics: fds (by type), rss, pss, threads, children,\n"
     "and the counted objects and heap it publishes in a counter file.",
     leakgate::cli::define_probe_command},
    {"run",
     "Run scenario files: start the daemon, replay the steps, sample resources, judge budgets.\n"
     "Exit codes: 0 all passed, 1 a budget was violated or a daemon failed, 2 bad scenario or "
     "usage, or all passed but a report could not be written (its verdict is printed first).",
     leakgate::cli::define_run_command},
    {"calibrate",
     "Run clean scenarios N times: record each figure's noise (per_iter slopes, growth, peak) "
     "in the history database for per_iter: auto, and print the false-alarm rate of the "
     "current budgets.\nExit codes: 0 completed (false alarms are a measurement), 2 bad "
     "scenario or usage.",
     leakgate::cli::define_calibrate_command},
    {"time-limit",
     "How long a run of each scenario may take at most, from its own limits (readiness, each\n"
     "step's timeout for every iteration, settling, stopping) plus a margin: the CTest TIMEOUT\n"
     "that leakgate_add_scenarios() gives its tests, so a slow machine is never a timeout.",
     leakgate::cli::define_time_limit_command},
    {"session",
     "One run for one ctest invocation: `open` before the first leak test (a new run id, the\n"
     "project's commit), `close` after the last (the index rendered). Every test published\n"
     "into the report directory meanwhile joins the run ($LEAKGATE_RUN_ID still wins).\n"
     "leakgate_add_scenarios() and leakgate_discover_leak_tests() register both as a CTest\n"
     "fixture; you need not call them yourself.",
     leakgate::cli::define_session_command},
    {"report",
     "Re-render every test page and the run index from result.json files; with --merge OUT, "
     "build one report directory from the report directories of several shards",
     leakgate::cli::define_report_command},
    {"baseline", "Choose the run that later runs are compared with",
     leakgate::cli::define_baseline_command},
    {"compare",
     "List the figures (peak, final, growth, at exit) that grew from BASELINE (default: the "
     "baseline run, else the run before) or from --baseline FILE|DIR to RUN (default: the "
     "latest run)",
     leakgate::cli::define_compare_command},
    {"history", "Move a run's results between machines as a leakgate.results/1 file",
     leakgate::cli::define_history_command},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "leakgate: run daemon scenarios under resource budgets (fds, RSS, heap, threads,\n"
      "counted objects) and report what leaked and where it was created."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "leakgate 0.1.0");
  int exit_code = 0;
  for (const SubcommandRow& row : kSubcommands) {
    row.define(*app.add_subcommand(row.name, row.about), &exit_code);
  }
  // A typo is named as one, before CLI11 reads what follows it as something else.
  if (const std::string typo =
          leakgate::cli::first_unknown_word(app, std::vector<std::string>(argv + 1, argv + argc));
      !typo.empty()) {
    std::fprintf(stderr, "%s\n", typo.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const leakgate::cli::CommandError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leakgate: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
