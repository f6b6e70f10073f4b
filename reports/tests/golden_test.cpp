// The renderer against committed goldens. LEAKGATE_UPDATE_GOLDEN=1 rewrites them; review
// the diff (and a screenshot) before committing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "html_checker.h"
#include "leakgate/reports/atomic_file.h"
#include "leakgate/reports/run_index.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

// Times, temporary paths and pids differ between runs of the same result. The embedded
// CSS and script are assets with their own files: the goldens hold the markup only.
std::string normalize_volatile(const std::string& html) {
  static const std::regex style(R"(<style>[^<]*</style>)");
  static const std::regex script(R"(<script>[\s\S]*?</script>)");
  static const std::regex timestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  static const std::regex temporary_path(R"(/tmp/[A-Za-z0-9._/-]+)");
  static const std::regex pid(R"(<dt>pid</dt><dd>\d+</dd>)");
  std::string normalized = std::regex_replace(html, style, "<style>/* report.css */</style>");
  normalized = std::regex_replace(normalized, script, "<script>/* index.js */</script>");
  normalized = std::regex_replace(normalized, timestamp, "<TIME>");
  normalized = std::regex_replace(normalized, temporary_path, "<TMP>");
  return std::regex_replace(normalized, pid, "<dt>pid</dt><dd><PID></dd>");
}

void expect_matches_golden(const std::string& rendered, const std::string& golden_name) {
  const std::string normalized = normalize_volatile(rendered);
  const auto golden = source_path("golden/" + golden_name);
  const char* update = std::getenv("LEAKGATE_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    write_file_atomically(golden, normalized);
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(std::filesystem::exists(golden))
      << golden << " is missing: run with LEAKGATE_UPDATE_GOLDEN=1 to create it";
  const std::string expected = read_text_file(golden);
  if (normalized == expected) return;
  // Point at the first difference rather than dumping two pages.
  std::size_t at = 0;
  while (at < normalized.size() && at < expected.size() && normalized[at] == expected[at]) ++at;
  const std::size_t from = at > 80 ? at - 80 : 0;
  FAIL() << golden_name << " differs at byte " << at << "\nexpected: …"
         << expected.substr(from, 200) << "\nrendered: …" << normalized.substr(from, 200)
         << "\n(LEAKGATE_UPDATE_GOLDEN=1 rewrites the goldens)";
}

void expect_well_formed(const std::string& html) {
  const auto problems = check_well_formed(html);
  for (const auto& problem : problems) ADD_FAILURE() << problem;
}

TEST(GoldenPage, FailingEnginesLeak) {
  const std::string html = render_test_page(load_fixture("failing-engines-leak"));
  expect_well_formed(html);
  expect_matches_golden(html, "failing-engines-leak.html");
}

TEST(GoldenPage, PassingIssueCrud) {
  const std::string html = render_test_page(load_fixture("passing-issue-crud"));
  expect_well_formed(html);
  expect_matches_golden(html, "passing-issue-crud.html");
}

TEST(GoldenPage, RunIndex) {
  const std::string html =
      render_index({load_fixture("passing-issue-crud"), load_fixture("failing-engines-leak")});
  expect_well_formed(html);
  expect_matches_golden(html, "index.html");
}

TEST(TestPage, ShowsTheLeakInPlainWords) {
  const std::string html = render_test_page(load_fixture("failing-engines-leak"));
  EXPECT_NE(html.find("class=\"banner fail\""), std::string::npos);
  EXPECT_NE(html.find("<strong><code>daemon.engines</code></strong> peaked at 40 (budget: at most "
                      "1), grew by +39 from baseline 1 to final 40 (budget: 0) and was still 41 "
                      "after the daemon stopped (budget: 0)."),
            std::string::npos);
  EXPECT_NE(html.find("38 still live were created at <code>tracker::SyncLoop::tick()"),
            std::string::npos);
  EXPECT_NE(html.find("<details><summary>5 frames</summary>"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos) << "daemon output must be escaped";
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "no network loads";
}

TEST(TestPage, SurvivesAMinimalOrMistypedResult) {
  for (const auto& result :
       {nlohmann::json::object(), nlohmann::json{{"test", 3}, {"metrics", "x"}},
        nlohmann::json{
            {"test", "t"},
            {"timeline", {{"t_s", {0, 1}}, {"series", {{"daemon.rss", {nullptr, "x"}}}}}}}}) {
    const std::string html = render_test_page(result);
    expect_well_formed(html);
  }
}

TEST(TestPage, LongTimelineGivesASmallPage) {
  nlohmann::json result = load_fixture("failing-engines-leak");
  std::vector<double> times;
  std::vector<double> rss;
  for (int i = 0; i < 60000; ++i) {  // 60 s at 1 kHz
    times.push_back(i / 1000.0);
    rss.push_back(20e6 + i * 10.0 + (i % 13) * 1000.0);
  }
  result["timeline"] = {{"t_s", times}, {"series", {{"daemon.rss", rss}, {"daemon.heap", rss}}}};
  const std::string html = render_test_page(result);
  expect_well_formed(html);
  EXPECT_LT(html.size(), 150u * 1024) << "downsampling should bound the page size";
}

}  // namespace
}  // namespace leakgate::reports::testing
