// The budget table states how sure each per-iteration figure is (issue 19): the slope's
// confidence interval and the Mann–Kendall p under the per_iter cell.
#include <gtest/gtest.h>

#include "html_checker.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

std::string page_of(const json& result) {
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  return html;
}

TEST(ConfidencePage, PerIterCellStatesTheIntervalAndP) {
  json result = load_fixture("passing-issue-crud");
  ASSERT_TRUE(result["metrics"].contains("daemon.fds"));
  result["metrics"]["daemon.fds"]["per_iter"] = 1;
  result["metrics"]["daemon.fds"]["per_iter_trend"] = {{"slope", 1},          {"slope_lower", 0.98},
                                                       {"slope_upper", 1.02}, {"confidence", 0.998},
                                                       {"p_value", 1e-9},     {"by_trend", false}};
  result["metrics"]["daemon.engines"]["per_iter_trend"] = {
      {"slope", 0},          {"slope_lower", -0.5}, {"slope_upper", 0.5},
      {"confidence", 0.998}, {"p_value", 0.42},     {"by_trend", false}};
  const std::string html = page_of(result);
  EXPECT_NE(html.find("+1/iter<br><span class=\"muted\">99.8% CI +0.98..+1.02, p&lt;0.001</span>"),
            std::string::npos);
  EXPECT_NE(html.find("99.8% CI -0.5..+0.5, p=0.42"), std::string::npos);
}

TEST(ConfidencePage, ResultsWithoutTheIntervalShowTheSlopeAlone) {
  json result = load_fixture("passing-issue-crud");
  for (auto& [name, metric] : result["metrics"].items()) metric["per_iter_trend"] = nullptr;
  EXPECT_EQ(page_of(result).find("% CI "), std::string::npos);
}

}  // namespace
}  // namespace leakgate::reports::testing
