// The page's verdict banner says what the console said: a failed start names what it waited
// for and how long (the error's detail), and a run cut short by a signal says it was judged
// on what was measured (issue 26: both were in result.json only).
#include <gtest/gtest.h>

#include "html_checker.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

TEST(VerdictBanner, ANeverReadyDaemonsPageNamesWhatWasPolledAndTheTimeout) {
  nlohmann::json result = load_fixture("passing-issue-crud");
  result["verdict"] = "error";
  result["summary"] = "ERROR leak.issue-crud  daemon not ready";
  result["error"] = {{"what", "daemon not ready"},
                     {"detail",
                      "http http://127.0.0.1:41234/health did not answer 200 within 10000 ms"},
                     {"step", nullptr},
                     {"where", ""},
                     {"iteration", 0},
                     {"exit_code", nullptr},
                     {"signal", nullptr}};
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  EXPECT_NE(html.find("http://127.0.0.1:41234/health did not answer 200 within 10000 ms"),
            std::string::npos);
}

TEST(VerdictBanner, ARunCutShortBySigintSaysSo) {
  nlohmann::json result = load_fixture("passing-issue-crud");
  result["iterations"]["cut_short"] =
      "cut short by SIGINT after 7 measured iterations / 3.2 s: judged on what was measured so far";
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  EXPECT_NE(html.find("cut short by SIGINT after 7 measured iterations"), std::string::npos);
}

TEST(VerdictBanner, AWholeRunSaysNothingOfBeingCutShort) {
  const std::string html = render_test_page(load_fixture("passing-issue-crud"));
  EXPECT_EQ(html.find("cut short"), std::string::npos);
  EXPECT_EQ(html.find("error-detail"), std::string::npos);
}

}  // namespace
}  // namespace leakgate::reports::testing
