// `leakgate report`, `leakgate baseline`, `leakgate compare`, `leakgate history`: the report
// directory and the history database after the tests ran (leakgate::reports does the work).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <leakgate/reports/atomic_file.h>
#include <leakgate/reports/compare.h>
#include <leakgate/reports/history.h>
#include <leakgate/reports/merge.h>
#include <leakgate/reports/publish.h>
#include <leakgate/reports/results_file.h>

#include "commands.h"
#include "report_dir.h"
#include "subcommand.h"

namespace leakgate::cli {
namespace {

namespace fs = std::filesystem;

struct HistoryLocation {
  std::string report_dir = default_report_dir();
  std::string database;  // empty: $LEAKGATE_HISTORY, else <report-dir>/history.db

  void add_options(CLI::App& command) {
    add_report_dir_option(command, report_dir, "report directory")->capture_default_str();
    command.add_option("--history", database,
                       "history database (default: $LEAKGATE_HISTORY, else REPORT_DIR/history.db)");
  }

  fs::path path() const {
    return database.empty() ? reports::history_path_for(report_dir) : fs::path(database);
  }

  // `command` ("leakgate compare") names who asks when there is no database.
  reports::History open(const std::string& command) const {
    const fs::path path = this->path();
    if (!fs::exists(path)) {
      // What to run first, and where this looked: the tests may have written elsewhere.
      if (path != fs::path(report_dir) / "history.db") {
        throw CommandError(command + ": no history database at " + path.string() +
                           " (--history or $LEAKGATE_HISTORY); run tests with that history first");
      }
      const std::string elsewhere = report_dir == "build/leak-reports"
                                        ? ""
                                        : ", or give --report-dir the directory your tests wrote "
                                          "(ctest: <build dir>/leak-reports)";
      throw CommandError(command + ": no history database in " + report_dir + " (" + path.string() +
                         "); run `leakgate run SCENARIO.yaml --report-dir " + report_dir +
                         "` first" + elsewhere);
    }
    return reports::History(path);
  }
};

struct ReportArguments {
  std::vector<std::string> directories{default_report_dir()};
  std::string merge_into, expect_tests_file, run_id;
  std::optional<std::size_t> expect_count;

  void add_options(CLI::App& command) {
    command
        .add_option("DIR", directories,
                    "report directory (with --merge: the shards' report directories)")
        ->capture_default_str();
    command.add_option("--merge", merge_into,
                       "merge the DIRs (shards) into this new report directory: one index, "
                       "one results.json, one run in its history (exit 2 on a test in two "
                       "shards)");
    command.add_option("--expect-tests", expect_tests_file,
                       "with --merge: the tests that must be there, one per line or the "
                       "output of ctest --show-only=json-v1 (exit 1 when one is missing)");
    command.add_option("--expect-count", expect_count,
                       "with --merge: how many tests must be there (exit 1 otherwise)");
    command.add_option(
        "--run-id", run_id,
        "with --merge: the merged run's id (default: $LEAKGATE_RUN_ID, else a new one)");
  }
};

int report(const ReportArguments& arguments) {
  if (arguments.merge_into.empty()) {
    if (!arguments.expect_tests_file.empty() || arguments.expect_count ||
        !arguments.run_id.empty()) {
      throw CLI::ValidationError("--expect-tests, --expect-count and --run-id need --merge");
    }
    if (arguments.directories.size() != 1) {
      throw CLI::ValidationError("one report directory, or --merge OUT SHARD_DIR...");
    }
    const std::string& directory = arguments.directories.front();
    const int pages = reports::regenerate_all_reports(directory);
    std::printf("%d test pages and %s written\n", pages,
                (fs::path(directory) / "index.html").c_str());
    return 0;
  }
  reports::MergeOptions options;
  options.run_id = arguments.run_id.empty() ? reports::current_run_id() : arguments.run_id;
  if (!arguments.expect_tests_file.empty()) {
    options.expected_tests =
        reports::parse_expected_tests(reports::read_text_file(arguments.expect_tests_file));
  }
  options.expected_count = arguments.expect_count;
  const std::vector<fs::path> shards(arguments.directories.begin(), arguments.directories.end());
  reports::MergeSummary summary;
  try {
    summary = reports::merge_shard_reports(arguments.merge_into, shards, options);
  } catch (const reports::MergeConflict& conflict) {
    std::fprintf(stderr, "leakgate report --merge: %s\n", conflict.what());
    return 2;
  }
  std::printf("%zu tests from %zu shards merged into %s (run %s)\n", summary.tests.size(),
              shards.size(), (fs::path(arguments.merge_into) / "index.html").c_str(),
              options.run_id.c_str());
  int exit_code = 0;
  for (const std::string& test : summary.missing) {
    std::fprintf(stderr, "missing: %s is expected but in no shard\n", test.c_str());
    exit_code = 1;
  }
  if (summary.expected_count && *summary.expected_count != summary.tests.size()) {
    std::fprintf(stderr, "expected %zu tests, the shards hold %zu\n", *summary.expected_count,
                 summary.tests.size());
    exit_code = 1;
  }
  return exit_code;
}

struct BaselineArguments {
  HistoryLocation location;
  std::string run;  // set: empty for the latest run
};

int set_baseline(const BaselineArguments& arguments) {
  reports::History history = arguments.location.open("leakgate baseline set");
  const std::string chosen =
      history.set_baseline(arguments.run.empty() ? std::nullopt : std::optional(arguments.run));
  std::printf("baseline: %s\n", chosen.c_str());
  return 0;
}

int show_baseline(const BaselineArguments& arguments) {
  const reports::History history = arguments.location.open("leakgate baseline show");
  const auto chosen = history.baseline_run();
  for (const reports::RunInfo& info : history.runs()) {
    std::printf("%s %-40s %-12s %s  %d tests\n", chosen == info.run_id ? "*" : " ",
                info.run_id.c_str(), info.git_commit.substr(0, 12).c_str(),
                info.recorded_at.c_str(), info.tests);
  }
  if (!chosen) std::printf("no baseline set (leakgate baseline set [RUN])\n");
  return 0;
}

// The run to compare or export: RUN, checked to be recorded, else the latest run.
std::string run_to_compare(const reports::History& history, const std::string& run) {
  if (run.empty()) {
    const auto latest = history.latest_run();
    if (!latest) throw std::runtime_error("no runs recorded yet");
    return *latest;
  }
  if (history.tests_in_run(run).empty()) {
    throw std::runtime_error("no run " + run + " in the history (leakgate baseline show)");
  }
  return run;
}

struct CompareArguments {
  HistoryLocation location;
  std::string run, baseline, baseline_file;
  std::optional<double> fail_on_growth_percent;

  void add_options(CLI::App& command) {
    command.add_option("RUN", run, "run id");
    command.add_option("BASELINE", baseline, "run id to compare with");
    command.add_option("--run", run, "run id (the same as RUN)");
    command
        .add_option("--baseline", baseline_file,
                    "compare with results from another machine: a results.json or history "
                    "export, or a directory of them (a report directory, downloaded artifacts)")
        ->excludes(command.get_option("BASELINE"));
    command.add_option(
        "--fail-on-growth", fail_on_growth_percent,
        "exit 1 when a figure grew by more than PCT percent of the resource's level");
    location.add_options(command);
  }
};

int compare(const CompareArguments& arguments) {
  const reports::History history = arguments.location.open("leakgate compare");
  const std::string run = run_to_compare(history, arguments.run);
  std::vector<reports::FigureChange> changes;
  if (!arguments.baseline_file.empty()) {
    const reports::BaselineResults baseline =
        reports::read_baseline_results(arguments.baseline_file);
    reports::FiguresByTest before(baseline.by_test.begin(), baseline.by_test.end());
    const reports::FiguresByTest now = reports::figures_of_run(history, run);
    changes = reports::find_growth(now, before);
    std::printf("run %s (%zu tests) compared with %s (%zu tests)\n", run.c_str(), now.size(),
                arguments.baseline_file.c_str(), before.size());
    for (const auto& [test, figures] : now) {
      if (!before.count(test)) std::printf("not in the baseline: %s\n", test.c_str());
    }
  } else {
    std::string baseline = arguments.baseline;
    if (baseline.empty()) {
      const auto chosen = history.baseline_run();
      baseline = chosen && *chosen != run ? *chosen : history.run_before(run).value_or("");
    }
    if (baseline.empty())
      throw std::runtime_error("run " + run + " has no earlier run to compare with");
    changes = reports::find_growth(history, run, baseline);
    std::printf("run %s compared with %s\n", run.c_str(), baseline.c_str());
  }
  std::printf("%s", reports::format_growth_table(changes).c_str());
  if (!arguments.fail_on_growth_percent) return 0;
  const auto above = reports::changes_above(changes, *arguments.fail_on_growth_percent);
  if (above.empty()) return 0;
  std::fflush(stdout);  // the table before the verdict when both go to one file
  std::fprintf(stderr, "leakgate compare: %zu figure(s) grew by more than %g%% of their level\n",
               above.size(), *arguments.fail_on_growth_percent);
  return 1;
}

struct ExportArguments {
  HistoryLocation location;
  std::string run, output;
};

int export_history(const ExportArguments& arguments) {
  const reports::History history = arguments.location.open("leakgate history export");
  const std::string run = run_to_compare(history, arguments.run);
  const std::string text = reports::export_run(history, arguments.location.report_dir, run)
                               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                           "\n";
  if (arguments.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    reports::write_file_atomically(arguments.output, text);
    std::fprintf(stderr, "run %s written to %s\n", run.c_str(), arguments.output.c_str());
  }
  return 0;
}

struct ImportArguments {
  HistoryLocation location;
  std::string file, run_id;
  bool set_baseline = false;
};

int import_history(const ImportArguments& arguments) {
  const fs::path database = arguments.location.path();
  if (database.has_parent_path()) fs::create_directories(database.parent_path());
  reports::History history(database);
  const auto document = nlohmann::json::parse(reports::read_text_file(arguments.file));
  const reports::ImportSummary summary = reports::import_results(
      history, document, arguments.run_id.empty() ? std::nullopt : std::optional(arguments.run_id));
  for (const auto& [run, tests] : summary.tests_by_run) {
    std::printf("run %s: %d tests imported into %s\n", run.c_str(), tests, database.c_str());
  }
  if (arguments.set_baseline) {
    if (summary.tests_by_run.size() != 1) {
      throw std::runtime_error("--set-baseline needs one run; the file has " +
                               std::to_string(summary.tests_by_run.size()) + " (give --run-id)");
    }
    std::printf("baseline: %s\n",
                history.set_baseline(summary.tests_by_run.begin()->first).c_str());
  }
  return 0;
}

}  // namespace

void define_report_command(CLI::App& command, int* exit_code) {
  define_subcommand<ReportArguments>(command, exit_code, report);
}

void define_baseline_command(CLI::App& command, int* exit_code) {
  command.require_subcommand(1);
  auto [set, chosen] = add_subcommand<BaselineArguments>(
      command, exit_code, set_baseline, "set", "Make RUN (default: the latest run) the baseline");
  set.add_option("RUN", chosen.run, "run id");
  chosen.location.add_options(set);
  auto [show, listed] = add_subcommand<BaselineArguments>(
      command, exit_code, show_baseline, "show", "List the recorded runs and mark the baseline");
  listed.location.add_options(show);
}

void define_compare_command(CLI::App& command, int* exit_code) {
  define_subcommand<CompareArguments>(command, exit_code, compare);
}

void define_history_command(CLI::App& command, int* exit_code) {
  command.require_subcommand(1);

  auto [export_command, exported] = add_subcommand<ExportArguments>(
      command, exit_code, export_history, "export",
      "Write RUN (default: the latest run) as a results file (the results.json format)");
  export_command.add_option("--run", exported.run, "run id");
  export_command.add_option("-o,--output", exported.output, "file to write ('-': stdout)")
      ->required();
  exported.location.add_options(export_command);

  auto [import_command, imported] = add_subcommand<ImportArguments>(
      command, exit_code, import_history, "import",
      "Record the results of FILE (a results.json or an export) in this history database");
  import_command.add_option("FILE", imported.file, "results file")
      ->required()
      ->check(CLI::ExistingFile);
  import_command.add_option("--run-id", imported.run_id,
                            "record every test under this run id (default: each test's own)");
  import_command.add_flag("--set-baseline", imported.set_baseline,
                          "make the imported run the baseline (regress: budgets, compare)");
  imported.location.add_options(import_command);
}

}  // namespace leakgate::cli
