// Noise-aware "Change since earlier runs": a wobble within a figure's noise is unchanged.
#include "leakgate/reports/noise.h"

#include <gtest/gtest.h>

#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/publish.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

constexpr double kMiB = 1024.0 * 1024.0;

TEST(Noise, HeapMovingByATenthOfAPercentIsUnchanged) {
  const double before = 60 * kMiB;
  const double noise = noise_of(Unit::bytes, before, std::nullopt);
  EXPECT_EQ(classify_change(before * 1.001, before, noise), Change::unchanged);
  EXPECT_EQ(classify_change(before * 0.999, before, noise), Change::unchanged);
  EXPECT_EQ(classify_change(before * 1.05, before, noise), Change::worse);
  EXPECT_EQ(classify_change(before * 0.95, before, noise), Change::better);
}

TEST(Noise, SmallByteFiguresHaveAPageOfNoise) {
  // 1% of 100 KiB is 1 KiB; rss moves by pages.
  EXPECT_EQ(noise_of(Unit::bytes, 100 * 1024, std::nullopt), 4096);
  EXPECT_EQ(classify_change(104 * 1024, 100 * 1024, 4096), Change::unchanged);
}

TEST(Noise, OneMoreFdIsAChange) {
  const double noise = noise_of(Unit::count, 18, std::nullopt);
  EXPECT_EQ(noise, 0);
  EXPECT_EQ(classify_change(19, 18, noise), Change::worse);
  EXPECT_EQ(classify_change(17, 18, noise), Change::better);
  EXPECT_EQ(classify_change(18, 18, noise), Change::unchanged);
}

TEST(Noise, AMoveBeyondTheSpreadOfEarlierRunsIsAChange) {
  // Earlier runs' heap peaks spread over 2 MiB on a 10 MiB daemon (floor: 100 KiB).
  const double noise = noise_of(Unit::bytes, 10 * kMiB, 2 * kMiB);
  EXPECT_EQ(noise, 2 * kMiB);
  EXPECT_EQ(classify_change(11.5 * kMiB, 10 * kMiB, noise), Change::unchanged);
  EXPECT_EQ(classify_change(12.5 * kMiB, 10 * kMiB, noise), Change::worse);
  // Counts take the spread too: threads that varied 4..6 moving from 4 to 5 is no change.
  EXPECT_EQ(classify_change(5, 4, noise_of(Unit::count, 6, 2.0)), Change::unchanged);
  EXPECT_EQ(classify_change(7, 4, noise_of(Unit::count, 6, 2.0)), Change::worse);
}

TEST(Noise, SpreadIsMaxMinusMinOfFiguresTwoRunsHave) {
  auto run = [](json metrics) { return json{{"metrics", std::move(metrics)}}; };
  const json spread = figure_spread({
      run({{"daemon.heap", {{"peak", 100}, {"growth", 5}}}, {"daemon.fds", {{"peak", 9}}}}),
      run({{"daemon.heap", {{"peak", 130}, {"growth", nullptr}}}}),
      run({{"daemon.heap", {{"peak", 110}}}}),
  });
  EXPECT_EQ(spread, (json{{"daemon.heap", {{"peak", 30}}}})) << spread.dump();
  EXPECT_EQ(figure_spread({}), json::object());
}

// The page: engines +10 is painted, heap +0.1% and an rss wobble are not.
TEST(Noise, PageShowsOnlyChangesBeyondTheNoise) {
  const TemporaryDirectory directory;
  const auto database = directory.path() / "history.db";
  json first = load_fixture("failing-engines-leak");
  publish_test_result(directory.path(), first, {"run-1", database});
  json second = first;
  auto& metrics = second["metrics"];
  metrics["daemon.heap"]["peak"] = metrics["daemon.heap"]["peak"].get<double>() * 1.001;
  metrics["daemon.rss"]["final"] = metrics["daemon.rss"]["final"].get<double>() + 8192;
  metrics["daemon.fds"]["final"] = 19;
  publish_test_result(directory.path(), second, {"run-2", database});

  const std::string page = read_text_file(directory.path() / "leak.sync-loop/index.html");
  const auto table = page.find("<table class=\"changes\">");
  ASSERT_NE(table, std::string::npos) << page;
  const std::string changes = page.substr(table, page.find("</table>", table) - table);
  EXPECT_NE(changes.find("<code>daemon.fds</code></th><td>final</td>"), std::string::npos)
      << changes;
  EXPECT_NE(changes.find("18 <span class=\"delta worse\">+1"), std::string::npos) << changes;
  EXPECT_EQ(changes.find("daemon.heap"), std::string::npos) << changes;
  EXPECT_EQ(changes.find("daemon.rss"), std::string::npos) << changes;
  EXPECT_EQ(changes.find("delta worse\">+"), changes.rfind("delta worse\">+")) << changes;
}

// With three earlier runs, the spread they show is the noise: a move as large as the spread
// is unchanged, one beyond it is a change.
TEST(Noise, PageTakesTheSpreadFromTheHistory) {
  const TemporaryDirectory directory;
  const auto database = directory.path() / "history.db";
  const json fixture = load_fixture("failing-engines-leak");
  auto publish_with_threads = [&](const std::string& run, double threads) {
    json result = fixture;
    result["metrics"]["daemon.threads"]["peak"] = threads;
    publish_test_result(directory.path(), result, {run, database});
    return read_text_file(directory.path() / "leak.sync-loop/index.html");
  };
  publish_with_threads("run-1", 4);
  publish_with_threads("run-2", 6);
  const json written = json::parse(read_text_file(directory.path() / "leak.sync-loop/result.json"));
  EXPECT_TRUE(written["history"]["spread"].is_object());
  EXPECT_EQ(written["history"]["spread_runs"], 1);
  std::string page = publish_with_threads("run-3", 4);  // 6 -> 4 within the spread 4..6
  EXPECT_EQ(page.find("<code>daemon.threads</code></th><td>peak</td>"), std::string::npos);
  page = publish_with_threads("run-4", 9);  // 4 -> 9: beyond the spread of 2
  EXPECT_NE(page.find("<code>daemon.threads</code></th><td>peak</td>"), std::string::npos);
}

}  // namespace
}  // namespace leakgate::reports::testing
