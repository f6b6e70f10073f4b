#include "leakgate/reports/publish.h"

#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/file_lock.h"
#include "leakgate/reports/history.h"
#include "leakgate/reports/noise.h"
#include "leakgate/reports/run_index.h"
#include "leakgate/reports/run_session.h"
#include "leakgate/reports/test_page.h"

namespace leakgate::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxResultDepth = 2;  // <report-dir>/<test>/result.json, or one level deeper

std::string to_json_text(const json& value, int indent) {
  // Invalid UTF-8 from a daemon's output must not make the report unwritable.
  return value.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

// Runs `work`, rethrowing any failure as std::runtime_error prefixed with `context`.
template <typename Work>
auto with_context(const std::string& context, Work&& work) {
  try {
    return work();
  } catch (const std::exception& error) {
    throw std::runtime_error(context + ": " + error.what());
  }
}

}  // namespace

PublishOptions publish_options_from_environment(const fs::path& report_dir) {
  PublishOptions options{current_run_id(), history_path_for(report_dir), ""};
  if (const auto session = read_run_session(report_dir)) {
    const char* run_id = std::getenv("LEAKGATE_RUN_ID");
    if (!run_id || !*run_id) options.run_id = session->run_id;
    options.project_commit = session->project_commit;
  }
  return options;
}

fs::path test_directory(const fs::path& report_dir, const json& result) {
  const json& test = detail::member(result, "test");
  if (!test.is_string()) throw std::runtime_error("result.json has no \"test\" name");
  const std::string name = test.get<std::string>();
  const bool safe = !name.empty() && name.front() != '.' &&
                    name.find_first_of(std::string("/\\\0", 3)) == std::string::npos;
  if (!safe) throw std::runtime_error("test name \"" + name + "\" is not a plain directory name");
  return report_dir / name;
}

void publish_test_result(const fs::path& report_dir, json result) {
  publish_test_result(report_dir, std::move(result), publish_options_from_environment(report_dir));
}

void publish_test_result(const fs::path& report_dir, json result, const PublishOptions& options) {
  const std::string context = "publishing " +
                              detail::text_member(result, "test", "(unnamed test)") + " into " +
                              report_dir.string();
  std::string history_error;
  if (!options.project_commit.empty() && result.contains("environment") &&
      result["environment"].is_object()) {
    json& environment = result["environment"];
    environment["leakgate_commit"] = environment.value("git_commit", "");
    environment["git_commit"] = options.project_commit;
  }
  with_context(context, [&] {
    const fs::path directory = test_directory(report_dir, result);
    fs::create_directories(directory);
    if (!options.history_database.empty()) {
      // A history failure must not lose the report: write it, then report the failure.
      try {
        if (options.history_database.has_parent_path()) {
          fs::create_directories(options.history_database.parent_path());
        }
        History history(options.history_database);
        history.record(options.run_id, result);
        const std::string test = result["test"].get<std::string>();
        std::vector<json> earlier = history.earlier_figures(test, options.run_id, kSpreadRuns);
        result["history"] = {{"run_id", options.run_id},
                             {"previous", earlier.empty() ? json(nullptr) : earlier.front()},
                             {"baseline", history.baseline_figures(test)},
                             // How much each figure wobbled over the earlier runs: the
                             // page's noise (noise.h).
                             {"spread", figure_spread(earlier)},
                             {"spread_runs", earlier.size()}};
      } catch (const std::exception& error) {
        history_error = error.what();
        result["history"] = {{"run_id", options.run_id}, {"error", history_error}};
      }
    }
    write_file_atomically(directory / "result.json", to_json_text(result, 2));
    write_test_report(report_dir, result);
  });
  if (!history_error.empty()) throw std::runtime_error(context + ": " + history_error);
}

void write_test_report(const fs::path& report_dir, const json& result) {
  with_context("writing the report of " + detail::text_member(result, "test", "(unnamed test)"),
               [&] {
                 const fs::path directory = test_directory(report_dir, result);
                 fs::create_directories(directory);
                 write_file_atomically(directory / "index.html", render_test_page(result));
               });
  regenerate_index(report_dir);
}

std::vector<json> load_results(const fs::path& report_dir) {
  std::vector<json> results;
  std::error_code error;
  fs::recursive_directory_iterator entry(report_dir, fs::directory_options::skip_permission_denied,
                                         error);
  for (; !error && entry != fs::recursive_directory_iterator(); entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (entry->is_directory(error)) {
      if (entry.depth() >= kMaxResultDepth || name.front() == '.')
        entry.disable_recursion_pending();
      continue;
    }
    if (name != "result.json") continue;
    try {
      json result = json::parse(read_text_file(entry->path()));
      if (result.is_object()) results.push_back(std::move(result));
    } catch (const std::exception&) {
      // Written atomically, so a broken file is not ours in progress: leave it out.
    }
  }
  return results;
}

void regenerate_index(const fs::path& report_dir) {
  with_context("regenerating the index of " + report_dir.string(), [&] {
    fs::create_directories(report_dir);
    const ExclusiveFileLock lock(report_dir / ".lock");
    const std::vector<json> results = load_results(report_dir);
    write_file_atomically(report_dir / "results.json", to_json_text(make_results_json(results), 2));
    write_file_atomically(report_dir / "index.html", render_index(results));
  });
}

int regenerate_all_reports(const fs::path& report_dir) {
  if (!fs::is_directory(report_dir)) {
    throw std::runtime_error("report directory " + report_dir.string() + " does not exist");
  }
  int pages = 0;
  for (const json& result : load_results(report_dir)) {
    with_context("re-rendering " + detail::text_member(result, "test", "(unnamed test)"), [&] {
      write_file_atomically(test_directory(report_dir, result) / "index.html",
                            render_test_page(result));
    });
    ++pages;
  }
  regenerate_index(report_dir);
  return pages;
}

}  // namespace leakgate::reports
