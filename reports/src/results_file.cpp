#include "leakgate/reports/results_file.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/run_index.h"
#include "report_files.h"

namespace leakgate::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kResultsSchema = "leakgate.results/1";
constexpr std::string_view kResultSchema = "leakgate.result/1";

json parse_json_file(const fs::path& file) {
  try {
    return json::parse(read_text_file(file));
  } catch (const std::exception& error) {
    throw std::runtime_error(file.string() + ": " + error.what());
  }
}

void add_baseline_result(BaselineResults& baseline, json result, const fs::path& file) {
  const std::string test = detail::text_member(result, "test");
  if (test.empty()) throw std::runtime_error(file.string() + ": a result without a test name");
  if (const auto earlier = baseline.source_of.find(test); earlier != baseline.source_of.end()) {
    throw std::runtime_error("test " + test + " is in both " + earlier->second.string() + " and " +
                             file.string());
  }
  result.erase("timeline");
  baseline.by_test[test] = std::move(result);
  baseline.source_of[test] = file;
}

void add_baseline_document(BaselineResults& baseline, const json& document, const fs::path& file) {
  const std::string schema = detail::text_member(document, "schema");
  if (schema == kResultsSchema) {
    for (const json& result : detail::array_or_empty(detail::member(document, "tests"))) {
      add_baseline_result(baseline, result, file);
    }
  } else if (schema == kResultSchema) {
    add_baseline_result(baseline, document, file);
  } else {
    throw std::runtime_error(file.string() + ": not a leakgate results file (schema \"" + schema +
                             "\", expected " + std::string(kResultsSchema) + ")");
  }
}

// The files a baseline directory holds: results.json files (its own, or downloaded report
// directories' one level down) and exports directly in it; else <test>/result.json files.
std::vector<fs::path> baseline_files_in(const fs::path& directory) {
  std::vector<fs::path> files = detail::files_named(directory, "results.json", 1);
  std::error_code error;
  for (fs::directory_iterator entry(directory, error); !error && entry != fs::directory_iterator();
       entry.increment(error)) {
    const fs::path& path = entry->path();
    if (path.extension() != ".json" || path.filename() == "results.json" ||
        path.filename() == "result.json" || !entry->is_regular_file(error)) {
      continue;
    }
    try {  // an export under any name: read it only when it says it is one
      if (detail::text_member(json::parse(read_text_file(path)), "schema") == kResultsSchema)
        files.push_back(path);
    } catch (const std::exception&) {
      // Not JSON: not ours.
    }
  }
  if (files.empty()) return detail::files_named(directory, "result.json", 1);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

BaselineResults read_baseline_results(const fs::path& file_or_directory) {
  BaselineResults baseline;
  if (fs::is_directory(file_or_directory)) {
    for (const fs::path& file : baseline_files_in(file_or_directory)) {
      add_baseline_document(baseline, parse_json_file(file), file);
    }
  } else if (fs::exists(file_or_directory)) {
    add_baseline_document(baseline, parse_json_file(file_or_directory), file_or_directory);
  } else {
    throw std::runtime_error("no baseline at " + file_or_directory.string());
  }
  if (baseline.by_test.empty()) {
    throw std::runtime_error("no test results in " + file_or_directory.string() +
                             " (expected results.json, an export, or <test>/result.json files)");
  }
  return baseline;
}

std::optional<double> baseline_peak_from_file(const fs::path& file_or_directory,
                                              std::string_view test, std::string_view metric) {
  std::error_code error;
  if (file_or_directory.empty() || !fs::exists(file_or_directory, error)) return std::nullopt;
  const BaselineResults baseline = read_baseline_results(file_or_directory);
  const auto found = baseline.by_test.find(std::string(test));
  if (found == baseline.by_test.end()) return std::nullopt;
  return detail::number_member(detail::member(detail::member(found->second, "metrics"), metric),
                               "peak");
}

json export_run(const History& history, const fs::path& report_dir, const std::string& run_id) {
  const std::vector<RunInfo> runs = history.runs();
  const auto info = std::find_if(runs.begin(), runs.end(),
                                 [&](const RunInfo& run) { return run.run_id == run_id; });
  if (info == runs.end()) throw std::runtime_error("history: no run " + run_id);
  std::vector<json> results;
  for (const std::string& test : history.tests_in_run(run_id)) {
    json result;
    try {
      result = parse_json_file(report_dir / test / "result.json");
      if (detail::text_member(detail::member(result, "history"), "run_id") != run_id) result = {};
    } catch (const std::exception&) {
      result = {};  // gone or from elsewhere: the database has the figures
    }
    if (!result.is_object()) {
      const json figures = history.run_figures(test, run_id);
      result = {
          {"schema", kResultSchema},       {"test", test},
          {"verdict", figures["verdict"]}, {"environment", {{"git_commit", figures["git_commit"]}}},
          {"metrics", figures["metrics"]}, {"history", {{"run_id", run_id}}}};
    }
    results.push_back(std::move(result));
  }
  json document = make_results_json(results);
  document["run"] = {
      {"run_id", run_id}, {"git_commit", info->git_commit}, {"recorded_at", info->recorded_at}};
  return document;
}

ImportSummary import_results(History& history, const json& results,
                             const std::optional<std::string>& run_id) {
  BaselineResults documents;
  add_baseline_document(documents, results, "the imported file");
  const json& run = detail::member(results, "run");
  const std::string fallback_run =
      !detail::text_member(run, "run_id").empty()
          ? detail::text_member(run, "run_id")
          : "imported-" + detail::text_member(results, "generated_at", "run");
  ImportSummary summary;
  for (const auto& [test, result] : documents.by_test) {
    std::string chosen =
        run_id.value_or(detail::text_member(detail::member(result, "history"), "run_id"));
    if (chosen.empty()) chosen = fallback_run;
    history.record(chosen, result);
    ++summary.tests_by_run[chosen];
  }
  return summary;
}

}  // namespace leakgate::reports
