// `leakgate report --merge OUT SHARD...`: one report directory from the report directories
// of a suite split over several machines (ctest -I i,,N per shard): every test directory
// copied, one index.html, one results.json, and the tests recorded as ONE run in
// OUT's history.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakgate::reports {

// A shard's tests: each result.json under the shard's report directory and where it was.
struct ShardTest {
  std::string test;
  std::filesystem::path result_file;  // <shard>/<test>/result.json
  nlohmann::json result;
};
struct Shard {
  std::filesystem::path directory;
  std::vector<ShardTest> tests;
};

// Reads a shard's report directory (as publish writes it: <dir>/<test>/result.json, or one
// level deeper). Throws when it is not a directory or holds no result.json.
Shard read_shard(const std::filesystem::path& directory);

struct DuplicateTest {
  std::string test;
  std::filesystem::path first_shard, second_shard;
};
// Every test that appears in more than one shard (one entry per extra appearance).
std::vector<DuplicateTest> find_duplicate_tests(const std::vector<Shard>& shards);

// The expected tests that no shard has, sorted.
std::vector<std::string> find_missing_tests(const std::set<std::string>& expected,
                                            const std::vector<Shard>& shards);

// An expected-test list: one name per line ('#' comments and blank lines ignored), or the
// output of `ctest --show-only=json-v1` (the names of its "tests").
std::set<std::string> parse_expected_tests(const std::string& text);

// The merge cannot be done (duplicate tests, OUT already holds results, no shards):
// `leakgate report --merge` exits 2.
class MergeConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MergeOptions {
  std::string run_id;                      // the one run all shards' results are recorded under
  std::filesystem::path history_database;  // empty: <out>/history.db
  std::optional<std::set<std::string>> expected_tests;
  std::optional<std::size_t> expected_count;
};

struct MergeSummary {
  std::vector<std::string> tests;             // merged, sorted
  std::vector<std::string> missing;           // expected but in no shard
  std::optional<std::size_t> expected_count;  // when --expect-count was given
  bool complete() const {
    return missing.empty() && (!expected_count || *expected_count == tests.size());
  }
};

// Merges the shards into `out` (created; it must hold no result.json yet, though a
// history database there, e.g. an imported baseline, is kept and added to). Throws
// MergeConflict before writing anything when a test is in two shards. Missing tests do
// not stop the merge: the summary lists them.
MergeSummary merge_shard_reports(const std::filesystem::path& out,
                                 const std::vector<std::filesystem::path>& shard_directories,
                                 const MergeOptions& options);

}  // namespace leakgate::reports
