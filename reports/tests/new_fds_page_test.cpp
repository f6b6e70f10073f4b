// The page's table of fds opened since the baseline: alike ones grouped (issue 26: sixty
// leaked sockets were sixty rows).
#include <gtest/gtest.h>

#include "html_checker.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

size_t occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST(NewFdsPage, SixtyLeakedSocketsAreOneRowWithTheirCount) {
  nlohmann::json result = load_fixture("passing-issue-crud");
  nlohmann::json fds = nlohmann::json::array();
  for (int fd = 10; fd < 70; ++fd)
    fds.push_back({{"fd", fd}, {"type", "socket"}, {"target", "socket:[" + std::to_string(900 + fd) + "]"}});
  fds.push_back({{"fd", 70}, {"type", "file"}, {"target", "/tmp/w/export.json"}});
  result["attribution"]["new_fds"] = fds;
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  EXPECT_EQ(occurrences(html, "socket:["), 1u) << "one row for the sockets";
  EXPECT_NE(html.find(">60<"), std::string::npos) << "their count";
  EXPECT_NE(html.find("10, 11, 12"), std::string::npos) << "the first fd numbers";
  EXPECT_NE(html.find("and 48 more"), std::string::npos) << "the rest counted, not listed";
  EXPECT_NE(html.find("/tmp/w/export.json"), std::string::npos) << "the file keeps its row";
}

}  // namespace
}  // namespace leakgate::reports::testing
