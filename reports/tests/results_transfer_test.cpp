// Results across machines with real files: a run exported and imported, a results.json
// (or a directory of them) as the baseline of compare and regress: budgets, and shards'
// report directories merged into one (duplicates and missing tests detected).
#include <gtest/gtest.h>

#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/compare.h"
#include "leakgate/reports/history.h"
#include "leakgate/reports/merge.h"
#include "leakgate/reports/publish.h"
#include "leakgate/reports/results_file.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The failing fixture renamed to `test`, its engines leak made worse by `extra` engines.
json engines_result(const std::string& test, double extra = 0) {
  json result = load_fixture("failing-engines-leak");
  result["test"] = test;
  auto& engines = result["metrics"]["daemon.engines"];
  engines["peak"] = engines["peak"].get<double>() + extra;
  engines["final"] = engines["final"].get<double>() + extra;
  engines["growth"] = engines["growth"].get<double>() + extra;
  return result;
}

// A shard's report directory as `leakgate run` leaves it, one run per shard.
void publish_shard(const fs::path& shard, const std::string& run,
                   const std::vector<std::string>& tests) {
  for (const std::string& test : tests) {
    publish_test_result(shard, engines_result(test), {run, shard / "history.db"});
  }
}

void write_json(const fs::path& file, const json& value) {
  fs::create_directories(file.parent_path());
  write_file_atomically(file, value.dump(2));
}

TEST(BaselineFile, PeakFromAResultsJsonOfAnotherReportDirectory) {
  const TemporaryDirectory directory;
  publish_shard(directory.path() / "a", "run-a", {"leak.one", "leak.two"});
  const fs::path results = directory.path() / "a/results.json";
  EXPECT_EQ(baseline_peak_from_file(results, "leak.one", "daemon.engines"), 40);
  EXPECT_EQ(baseline_peak_from_file(directory.path() / "a", "leak.two", "daemon.engines"), 40)
      << "a report directory reads its results.json";
  EXPECT_EQ(baseline_peak_from_file(results, "leak.one", "daemon.unknown"), std::nullopt);
  EXPECT_EQ(baseline_peak_from_file(results, "leak.other", "daemon.engines"), std::nullopt);
  EXPECT_EQ(baseline_peak_from_file(directory.path() / "absent.json", "leak.one", "daemon.engines"),
            std::nullopt);
  EXPECT_EQ(baseline_peak_from_file("", "leak.one", "daemon.engines"), std::nullopt);
  write_json(directory.path() / "other.json", {{"schema", "something/1"}});
  EXPECT_THROW(baseline_peak_from_file(directory.path() / "other.json", "leak.one", "x"),
               std::runtime_error);
}

TEST(BaselineFile, ADirectoryOfArtifactsAndATestInTwoOfThem) {
  const TemporaryDirectory directory;
  publish_shard(directory.path() / "artifacts/shard-1", "run-1", {"leak.one"});
  publish_shard(directory.path() / "artifacts/shard-2", "run-2", {"leak.two"});
  const BaselineResults both = read_baseline_results(directory.path() / "artifacts");
  ASSERT_EQ(both.by_test.size(), 2u);
  EXPECT_EQ(both.source_of.at("leak.two"), directory.path() / "artifacts/shard-2/results.json");
  EXPECT_FALSE(both.by_test.at("leak.one").contains("timeline"));

  publish_shard(directory.path() / "artifacts/shard-3", "run-3", {"leak.one"});
  try {
    read_baseline_results(directory.path() / "artifacts");
    FAIL() << "leak.one is in two files";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("test leak.one is in both"), std::string::npos)
        << error.what();
  }
  fs::create_directories(directory.path() / "empty");
  EXPECT_THROW(read_baseline_results(directory.path() / "empty"), std::runtime_error);
}

TEST(BaselineFile, CompareARunWithResultsFromAnotherMachine) {
  const TemporaryDirectory directory;
  publish_shard(directory.path() / "main", "main-run", {"leak.one", "leak.two"});
  const fs::path pull_request = directory.path() / "pr";
  publish_test_result(pull_request, engines_result("leak.one", 10),
                      {"pr-run", pull_request / "h.db"});
  publish_test_result(pull_request, engines_result("leak.new"), {"pr-run", pull_request / "h.db"});
  const History history(pull_request / "h.db");
  const BaselineResults baseline = read_baseline_results(directory.path() / "main/results.json");
  const auto changes = find_growth(figures_of_run(history, "pr-run"),
                                   FiguresByTest(baseline.by_test.begin(), baseline.by_test.end()));
  ASSERT_EQ(changes.size(), 3u) << format_growth_table(changes);  // engines peak, final, growth
  for (const FigureChange& change : changes) {
    EXPECT_EQ(change.test, "leak.one");
    EXPECT_EQ(change.metric, "daemon.engines");
    EXPECT_EQ(change.after - change.before, 10);
  }
  // +10 engines on a level of 40: 25%.
  EXPECT_EQ(changes_above(changes, 24).size(), 3u);
  EXPECT_TRUE(changes_above(changes, 25).empty());
}

TEST(HistoryTransfer, ExportThenImportOnAnotherMachine) {
  const TemporaryDirectory directory;
  const fs::path here = directory.path() / "here";
  publish_shard(here, "run-1", {"leak.one"});
  publish_shard(here, "run-2", {"leak.one", "leak.two"});
  json exported;
  {
    const History history(here / "history.db");
    exported = export_run(history, here, "run-2");
    EXPECT_THROW(export_run(history, here, "no-such-run"), std::runtime_error);
    // leak.one's page is run-2's; rebuilt from the database when the file is not that run's.
    const json earlier = export_run(history, here, "run-1");
    ASSERT_EQ(earlier["tests"].size(), 1u);
    EXPECT_EQ(earlier["tests"][0]["metrics"]["daemon.engines"]["peak"], 40);
    EXPECT_FALSE(earlier["tests"][0].contains("message")) << "not run-2's result.json";
  }
  EXPECT_EQ(exported["schema"], "leakgate.results/1");
  EXPECT_EQ(exported["run"]["run_id"], "run-2");
  EXPECT_EQ(exported["run"]["git_commit"], "3f9c2d1a7b4e");
  ASSERT_EQ(exported["tests"].size(), 2u);
  EXPECT_TRUE(exported["tests"][0].contains("message")) << "the whole result.json";

  fs::create_directories(directory.path() / "there");
  History there(directory.path() / "there/history.db");
  const ImportSummary summary = import_results(there, exported, std::nullopt);
  EXPECT_EQ(summary.tests_by_run, (std::map<std::string, int>{{"run-2", 2}}));
  EXPECT_EQ(there.tests_in_run("run-2"), (std::vector<std::string>{"leak.one", "leak.two"}));
  there.set_baseline("run-2");
  EXPECT_EQ(there.baseline_peak("leak.two", "daemon.engines"), 40);
  import_results(there, exported, "renamed");
  EXPECT_EQ(there.runs().size(), 2u);
  EXPECT_THROW(import_results(there, json{{"schema", "other/1"}}, std::nullopt),
               std::runtime_error);
}

TEST(Merge, ExpectedTestsFromALineListOrCtestJson) {
  EXPECT_EQ(parse_expected_tests("leak.one\n# comment\n\n  leak.two \r\n"),
            (std::set<std::string>{"leak.one", "leak.two"}));
  EXPECT_EQ(parse_expected_tests(
                R"( {"kind": "ctestInfo", "tests": [{"name": "leak.a"}, {"name": "leak.b"}]})"),
            (std::set<std::string>{"leak.a", "leak.b"}));
}

TEST(Merge, DuplicateAndMissingTestsAcrossShards) {
  const TemporaryDirectory directory;
  publish_shard(directory.path() / "a", "run-a", {"leak.one", "leak.two"});
  publish_shard(directory.path() / "b", "run-b", {"leak.three", "leak.two"});
  const std::vector<Shard> shards = {read_shard(directory.path() / "a"),
                                     read_shard(directory.path() / "b")};
  const auto duplicates = find_duplicate_tests(shards);
  ASSERT_EQ(duplicates.size(), 1u);
  EXPECT_EQ(duplicates[0].test, "leak.two");
  EXPECT_EQ(duplicates[0].first_shard, directory.path() / "a");
  EXPECT_EQ(duplicates[0].second_shard, directory.path() / "b");
  EXPECT_EQ(find_missing_tests({"leak.one", "leak.four", "leak.zero"}, shards),
            (std::vector<std::string>{"leak.four", "leak.zero"}));

  const fs::path out = directory.path() / "merged";
  try {
    merge_shard_reports(out, {directory.path() / "a", directory.path() / "b"}, {"merged-run"});
    FAIL() << "leak.two is in both shards";
  } catch (const MergeConflict& conflict) {
    const std::string what = conflict.what();
    EXPECT_NE(what.find("leak.two is in both shard " + (directory.path() / "a").string() +
                        " and shard " + (directory.path() / "b").string()),
              std::string::npos)
        << what;
  }
  EXPECT_FALSE(fs::exists(out)) << "nothing written";
  try {
    merge_shard_reports(out, {directory.path() / "a", directory.path() / "a/."}, {"x"});
    FAIL() << "the same shard twice";
  } catch (const MergeConflict& conflict) {
    EXPECT_NE(std::string(conflict.what()).find("is given twice"), std::string::npos)
        << conflict.what();
  }
  fs::create_directories(directory.path() / "empty");
  EXPECT_THROW(read_shard(directory.path() / "empty"), MergeConflict);
}

TEST(Merge, ShardsBecomeOneIndexOneResultsJsonAndOneRun) {
  const TemporaryDirectory directory;
  publish_shard(directory.path() / "a", "run-a", {"leak.one", "leak.two"});
  publish_shard(directory.path() / "b", "run-b", {"leak.three"});
  write_file_atomically(directory.path() / "a/leak.one/daemon.stdout", "ready\n");
  const fs::path out = directory.path() / "merged";
  MergeOptions options{"merged-run"};
  options.expected_tests = {"leak.one", "leak.two", "leak.three", "leak.four"};
  const MergeSummary summary =
      merge_shard_reports(out, {directory.path() / "a", directory.path() / "b"}, options);
  EXPECT_EQ(summary.tests, (std::vector<std::string>{"leak.one", "leak.three", "leak.two"}));
  EXPECT_EQ(summary.missing, (std::vector<std::string>{"leak.four"}));
  EXPECT_FALSE(summary.complete());

  const History history(out / "history.db");
  ASSERT_EQ(history.runs().size(), 1u);
  EXPECT_EQ(history.runs()[0].run_id, "merged-run");
  EXPECT_EQ(history.runs()[0].tests, 3);
  const json results = json::parse(read_text_file(out / "results.json"));
  EXPECT_EQ(results["tests"].size(), 3u);
  const std::string index = read_text_file(out / "index.html");
  for (const char* test : {"leak.one", "leak.two", "leak.three"}) {
    EXPECT_NE(index.find(std::string("href=\"") + test + "/index.html\""), std::string::npos)
        << test;
    EXPECT_TRUE(fs::exists(out / test / "index.html")) << test;
  }
  EXPECT_EQ(read_text_file(out / "leak.one/daemon.stdout"), "ready\n") << "the whole directory";
  const json one = json::parse(read_text_file(out / "leak.one/result.json"));
  EXPECT_EQ(one["history"]["run_id"], "merged-run");
  EXPECT_EQ(one["history"]["merged_from"], (directory.path() / "a").string());

  EXPECT_THROW(merge_shard_reports(out, {directory.path() / "b"}, {"again"}), MergeConflict)
      << "out already holds results";
}

}  // namespace
}  // namespace leakgate::reports::testing
