// `leakgate report`, `leakgate baseline`, `leakgate compare`: the report directory and
// the history database after the tests ran (leakgate::reports does the work).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <leakgate/reports/compare.h>
#include <leakgate/reports/history.h>
#include <leakgate/reports/publish.h>

#include "commands.h"

namespace leakgate::cli {
namespace {

namespace fs = std::filesystem;

struct HistoryLocation {
  std::string report_dir;
  std::string database;  // empty: $LEAKGATE_HISTORY, else <report-dir>/history.db

  void add_options(CLI::App& command) {
    command.add_option("--report-dir", report_dir, "report directory ($LEAKGATE_REPORT_DIR)")
        ->capture_default_str();
    command.add_option("--history", database,
                       "history database (default: $LEAKGATE_HISTORY, else REPORT_DIR/history.db)");
  }

  reports::History open() const {
    const fs::path path =
        database.empty() ? reports::history_path_for(report_dir) : fs::path(database);
    if (!fs::exists(path)) {
      throw std::runtime_error("no history database at " + path.string() +
                               " (it is written when tests publish their results)");
    }
    return reports::History(path);
  }
};

std::string default_report_dir() {
  const char* from_environment = std::getenv("LEAKGATE_REPORT_DIR");
  return from_environment && *from_environment ? from_environment : "build/leak-reports";
}

void add_report_command(CLI::App& app, int* exit_code) {
  auto directory = std::make_shared<std::string>(default_report_dir());
  CLI::App* report = app.add_subcommand(
      "report", "Re-render every test page and the run index from result.json files");
  report->add_option("DIR", *directory, "report directory")->capture_default_str();
  report->callback([directory, exit_code] {
    const int pages = reports::regenerate_all_reports(*directory);
    std::printf("%d test pages and %s written\n", pages,
                (fs::path(*directory) / "index.html").c_str());
    *exit_code = 0;
  });
}

void add_baseline_command(CLI::App& app, int* exit_code) {
  auto location = std::make_shared<HistoryLocation>(HistoryLocation{default_report_dir(), {}});
  auto run = std::make_shared<std::string>();
  CLI::App* baseline =
      app.add_subcommand("baseline", "Choose the run that later runs are compared with");
  baseline->require_subcommand(1);
  CLI::App* set =
      baseline->add_subcommand("set", "Make RUN (default: the latest run) the baseline");
  set->add_option("RUN", *run, "run id");
  location->add_options(*set);
  set->callback([location, run, exit_code] {
    reports::History history = location->open();
    const std::string chosen =
        history.set_baseline(run->empty() ? std::nullopt : std::optional(*run));
    std::printf("baseline: %s\n", chosen.c_str());
    *exit_code = 0;
  });
  CLI::App* show = baseline->add_subcommand("show", "List the recorded runs and mark the baseline");
  location->add_options(*show);
  show->callback([location, exit_code] {
    const reports::History history = location->open();
    const auto chosen = history.baseline_run();
    for (const reports::RunInfo& info : history.runs()) {
      std::printf("%s %-40s %-12s %s  %d tests\n", chosen == info.run_id ? "*" : " ",
                  info.run_id.c_str(), info.git_commit.substr(0, 12).c_str(),
                  info.recorded_at.c_str(), info.tests);
    }
    if (!chosen) std::printf("no baseline set (leakgate baseline set [RUN])\n");
    *exit_code = 0;
  });
}

void add_compare_command(CLI::App& app, int* exit_code) {
  struct CompareArguments {
    HistoryLocation location{default_report_dir(), {}};
    std::string run, baseline;
    std::optional<double> fail_on_growth_percent;
  };
  auto arguments = std::make_shared<CompareArguments>();
  CLI::App* compare = app.add_subcommand(
      "compare",
      "List the figures that grew from BASELINE (default: the baseline run, else the "
      "run before) to RUN (default: the latest run)");
  compare->add_option("RUN", arguments->run, "run id");
  compare->add_option("BASELINE", arguments->baseline, "run id to compare with");
  compare->add_option("--fail-on-growth", arguments->fail_on_growth_percent,
                      "exit 1 when a figure grew by more than PCT percent of the resource's level");
  arguments->location.add_options(*compare);
  compare->callback([arguments, exit_code] {
    const reports::History history = arguments->location.open();
    std::string run = arguments->run;
    if (run.empty()) run = history.latest_run().value_or("");
    if (run.empty()) throw std::runtime_error("no runs recorded yet");
    std::string baseline = arguments->baseline;
    if (baseline.empty()) {
      const auto chosen = history.baseline_run();
      baseline = chosen && *chosen != run ? *chosen : history.run_before(run).value_or("");
    }
    if (baseline.empty())
      throw std::runtime_error("run " + run + " has no earlier run to compare with");
    const auto changes = reports::find_growth(history, run, baseline);
    std::printf("run %s compared with %s\n%s", run.c_str(), baseline.c_str(),
                reports::format_growth_table(changes).c_str());
    *exit_code = 0;
    if (!arguments->fail_on_growth_percent) return;
    for (const reports::FigureChange& change : changes) {
      if (change.percent_of_level > *arguments->fail_on_growth_percent) *exit_code = 1;
    }
  });
}

}  // namespace

void add_report_commands(CLI::App& app, int* exit_code) {
  add_report_command(app, exit_code);
  add_baseline_command(app, exit_code);
  add_compare_command(app, exit_code);
}

}  // namespace leakgate::cli
