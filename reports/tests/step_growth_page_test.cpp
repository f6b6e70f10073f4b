// The "Growth by step" section (issue 19): each top-level step's mean change per iteration,
// the share of a violated metric's growth highlighted on its step, and the known leaks.
#include <gtest/gtest.h>

#include "html_checker.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

std::string render_checked(const json& result) {
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  return html;
}

std::string step_growth_section(const std::string& html) {
  const auto start = html.find("id=\"step-growth\"");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</section>", start) - start);
}

TEST(StepGrowthPage, TableOfStepsWithTheLeakingStepsShare) {
  json result = load_fixture("passing-issue-crud");
  result["steps"][0]["step"] = 1;
  result["steps"][0]["growth_per_iter"] = {{"daemon.fds", 0.0}, {"daemon.heap", 1536.0}};
  result["steps"][1]["step"] = 2;
  result["steps"][1]["growth_per_iter"] = {{"daemon.fds", 1.0}, {"daemon.heap", 0.0}};
  result["step_attribution"] = json::array(
      {{{"metric", "daemon.fds"},
        {"per_iter", 1.0},
        {"text", "daemon.fds +1.0 per iteration, all of it in step 2 (client get_issue)"},
        {"shares", {{{"step", 2}, {"share", 1.0}}, {{"step", 1}, {"share", 0.0}}}}}});
  result["known_leaks"] = json::array({{{"metric", "daemon.fds"},
                                        {"site", "step 2"},
                                        {"state", "expired"},
                                        {"expires", "2026-11-30"},
                                        {"reason", "kept <open>"},
                                        {"issue", "#19"},
                                        {"message", "known leak daemon.fds at step 2 expired"}}});
  const std::string section = step_growth_section(render_checked(result));
  ASSERT_FALSE(section.empty()) << "no Growth by step section";
  EXPECT_NE(section.find("<th class=\"num\">daemon.fds</th>"), std::string::npos);
  EXPECT_NE(section.find("<td class=\"num over\">+1 (100%)</td>"), std::string::npos) << section;
  EXPECT_NE(section.find("<td class=\"num\">±0 (0%)</td>"), std::string::npos) << section;
  EXPECT_NE(section.find("+1.5 KiB"), std::string::npos) << section;
  EXPECT_NE(section.find("<h3>Known leaks</h3>"), std::string::npos);
  EXPECT_NE(section.find("<tr class=\"failing\">"), std::string::npos);
  EXPECT_NE(section.find("kept &lt;open&gt; (#19)"), std::string::npos) << section;
}

TEST(StepGrowthPage, NoSectionWithoutPerStepFigures) {
  const std::string html = render_checked(load_fixture("passing-issue-crud"));
  EXPECT_TRUE(step_growth_section(html).empty());
  EXPECT_EQ(html.find("href=\"#step-growth\""), std::string::npos);
}

}  // namespace
}  // namespace leakgate::reports::testing
