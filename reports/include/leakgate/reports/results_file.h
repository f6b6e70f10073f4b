// Results that travel between machines: a run exported as a `leakgate.results/1` file (the
// format of <report-dir>/results.json), imported into another history database, or read
// directly as the baseline of `leakgate compare --baseline` and of `regress:` budgets.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "leakgate/reports/history.h"

namespace leakgate::reports {

// One result per test name, each a result.json without its timeline (at least "test" and
// "metrics"), and the file each came from.
struct BaselineResults {
  std::map<std::string, nlohmann::json> by_test;
  std::map<std::string, std::filesystem::path> source_of;
};

// Reads a baseline: a `leakgate.results/1` file (results.json or an export), a single
// result.json, or a directory. In a directory, every results.json and every other
// *.json file of schema leakgate.results/1 up to two levels deep is read (a report
// directory, or several downloaded artifacts side by side); when there is none, every
// <test>/result.json (a report directory whose index was never written). Throws
// std::runtime_error when nothing readable is found or a test appears in two files.
BaselineResults read_baseline_results(const std::filesystem::path& file_or_directory);

// The peak of `metric` for `test` in a baseline file or directory, for the runner's
// `regress:` budget when the local history has no baseline. nullopt when the path is
// empty or does not exist, or the test or figure is absent; throws on an unreadable file.
std::optional<double> baseline_peak_from_file(const std::filesystem::path& file_or_directory,
                                              std::string_view test, std::string_view metric);

// `leakgate history export`: the run `run_id` as a leakgate.results/1 document with a
// top-level "run" {"run_id", "git_commit", "recorded_at"}. A test whose
// <report_dir>/<test>/result.json belongs to that run is exported whole (minus the
// timeline); any other test is rebuilt from the figures in the database.
nlohmann::json export_run(const History& history, const std::filesystem::path& report_dir,
                          const std::string& run_id);

struct ImportSummary {
  std::map<std::string, int> tests_by_run;  // run id -> tests recorded under it
};

// `leakgate history import`: records every test of a leakgate.results/1 document. The run
// id is `run_id` when given, else the test's history.run_id, else the document's run.run_id,
// else "imported-<generated_at>". Throws on another schema.
ImportSummary import_results(History& history, const nlohmann::json& results,
                             const std::optional<std::string>& run_id);

}  // namespace leakgate::reports
