#include "leakgate/reports/merge.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "json_access.h"
#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/history.h"
#include "leakgate/reports/publish.h"
#include "leakgate/reports/test_page.h"
#include "report_files.h"

namespace leakgate::reports {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxShardResultDepth = 2;  // as load_results: <dir>/<test>/result.json, or deeper

std::string trimmed_line(std::string line) {
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = line.find_last_not_of(" \t\r");
  return line.substr(first, last - first + 1);
}

// A CTest fixture's setup or cleanup (the run session's leak.session-open and -close) writes
// no report: it is no test a shard must have.
bool is_fixture_step(const json& test) {
  for (const json& property : detail::array_or_empty(detail::member(test, "properties"))) {
    const std::string name = detail::text_member(property, "name");
    if (name == "FIXTURES_SETUP" || name == "FIXTURES_CLEANUP") return true;
  }
  return false;
}

}  // namespace

Shard read_shard(const fs::path& directory) {
  if (!fs::is_directory(directory)) {
    throw MergeConflict("shard report directory " + directory.string() + " does not exist");
  }
  Shard shard{directory, {}};
  for (const fs::path& file : detail::files_named(directory, "result.json", kMaxShardResultDepth)) {
    json result;
    try {
      result = json::parse(read_text_file(file));
    } catch (const std::exception& parse_error) {
      throw MergeConflict(file.string() + ": " + parse_error.what());
    }
    const std::string test = detail::text_member(result, "test");
    test_directory(directory, result);  // throws for a name that is not a directory name
    shard.tests.push_back({test, file, std::move(result)});
  }
  if (shard.tests.empty()) {
    throw MergeConflict("shard " + directory.string() + " holds no <test>/result.json");
  }
  std::sort(shard.tests.begin(), shard.tests.end(),
            [](const ShardTest& a, const ShardTest& b) { return a.test < b.test; });
  return shard;
}

std::vector<DuplicateTest> find_duplicate_tests(const std::vector<Shard>& shards) {
  std::map<std::string, fs::path> first_seen;
  std::vector<DuplicateTest> duplicates;
  for (const Shard& shard : shards) {
    for (const ShardTest& test : shard.tests) {
      const auto [seen, inserted] = first_seen.emplace(test.test, shard.directory);
      if (!inserted) duplicates.push_back({test.test, seen->second, shard.directory});
    }
  }
  return duplicates;
}

std::vector<std::string> find_missing_tests(const std::set<std::string>& expected,
                                            const std::vector<Shard>& shards) {
  std::set<std::string> present;
  for (const Shard& shard : shards) {
    for (const ShardTest& test : shard.tests) present.insert(test.test);
  }
  std::vector<std::string> missing;
  std::set_difference(expected.begin(), expected.end(), present.begin(), present.end(),
                      std::back_inserter(missing));
  return missing;
}

std::set<std::string> parse_expected_tests(const std::string& text) {
  std::set<std::string> tests;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    // ctest --show-only=json-v1: {"kind": "ctestInfo", "tests": [{"name": ...}, ...]}
    const json listing = json::parse(text);
    for (const json& test : detail::array_or_empty(detail::member(listing, "tests"))) {
      if (is_fixture_step(test)) continue;
      if (std::string name = detail::text_member(test, "name"); !name.empty())
        tests.insert(std::move(name));
    }
    return tests;
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = trimmed_line(line);
    if (!line.empty() && line.front() != '#') tests.insert(line);
  }
  return tests;
}

MergeSummary merge_shard_reports(const fs::path& out,
                                 const std::vector<fs::path>& shard_directories,
                                 const MergeOptions& options) {
  if (shard_directories.empty()) throw MergeConflict("no shard report directories to merge");
  if (options.run_id.empty()) throw MergeConflict("the merged run needs a run id");
  std::vector<Shard> shards;
  for (const fs::path& directory : shard_directories) {
    if (fs::exists(out) && fs::exists(directory) && fs::equivalent(out, directory)) {
      throw MergeConflict("the merged directory " + out.string() + " is also a shard");
    }
    for (const Shard& earlier : shards) {
      if (fs::equivalent(earlier.directory, directory)) {
        throw MergeConflict("shard " + directory.string() + " is given twice");
      }
    }
    shards.push_back(read_shard(directory));
  }
  if (const auto duplicates = find_duplicate_tests(shards); !duplicates.empty()) {
    std::string message;
    for (const DuplicateTest& duplicate : duplicates) {
      message += (message.empty() ? "" : "; ") + duplicate.test + " is in both shard " +
                 duplicate.first_shard.string() + " and shard " + duplicate.second_shard.string();
    }
    throw MergeConflict("duplicate tests: " + message);
  }
  if (fs::exists(out) && !load_results(out).empty()) {
    throw MergeConflict(out.string() +
                        " already holds test results: merge into a new or empty directory");
  }

  fs::create_directories(out);
  const fs::path database =
      options.history_database.empty() ? out / "history.db" : options.history_database;
  History history(database);
  MergeSummary summary;
  for (Shard& shard : shards) {
    for (ShardTest& test : shard.tests) {
      const fs::path destination = test_directory(out, test.result);
      // The whole test directory: daemon output, profiles, wrapper logs beside the page.
      fs::copy(test.result_file.parent_path(), destination,
               fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      json& result = test.result;
      history.record(options.run_id, result);
      result["history"] = {{"run_id", options.run_id},
                           {"previous", history.previous_figures(test.test, options.run_id)},
                           {"baseline", history.baseline_figures(test.test)},
                           {"merged_from", shard.directory.string()}};
      write_file_atomically(destination / "result.json",
                            result.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
      write_file_atomically(destination / "index.html", render_test_page(result));
      summary.tests.push_back(test.test);
    }
  }
  regenerate_index(out);
  std::sort(summary.tests.begin(), summary.tests.end());
  if (options.expected_tests) summary.missing = find_missing_tests(*options.expected_tests, shards);
  summary.expected_count = options.expected_count;
  return summary;
}

}  // namespace leakgate::reports
