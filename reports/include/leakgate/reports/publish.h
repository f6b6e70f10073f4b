// Writing a test's report into the report directory and keeping the run index current.
// Safe when tests run in parallel (ctest -j): each output file is written atomically and
// the index is regenerated under an exclusive lock on <report-dir>/.lock.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakgate::reports {

struct PublishOptions {
  std::string run_id;                      // one per suite invocation
  std::filesystem::path history_database;  // empty: no history
  // The project's commit, from an open run session (run_session.h): it becomes the result's
  // environment.git_commit, leakgate's own going to environment.leakgate_commit.
  std::string project_commit;
};

// Options from the environment: the run id ($LEAKGATE_RUN_ID, else the open run session's of
// report_dir, else a fresh one), the session's project commit, history_path_for(report_dir).
PublishOptions publish_options_from_environment(const std::filesystem::path& report_dir);

// The runner's entry point: records the result in the history database, fills
// result["history"], writes <report_dir>/<test>/result.json and index.html, and
// regenerates the run index and results.json. Throws std::runtime_error with context.
void publish_test_result(const std::filesystem::path& report_dir, nlohmann::json result);
void publish_test_result(const std::filesystem::path& report_dir, nlohmann::json result,
                         const PublishOptions& options);

// Renders <report_dir>/<test>/index.html from a result (history already filled) and
// regenerates the index. Does not touch result.json or the history database.
void write_test_report(const std::filesystem::path& report_dir, const nlohmann::json& result);

// Rebuilds <report_dir>/index.html and results.json from every result.json under it,
// holding the directory lock.
void regenerate_index(const std::filesystem::path& report_dir);

// `leakgate report DIR`: re-renders every test page and the index. Returns the number
// of pages written.
int regenerate_all_reports(const std::filesystem::path& report_dir);

// Every readable result.json under report_dir (unreadable ones are skipped).
std::vector<nlohmann::json> load_results(const std::filesystem::path& report_dir);

// The test's directory name, checked to be a single safe path component.
std::filesystem::path test_directory(const std::filesystem::path& report_dir,
                                     const nlohmann::json& result);

}  // namespace leakgate::reports
