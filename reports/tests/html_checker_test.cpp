// The checker the golden tests rely on must itself catch what it claims to.
#include <gtest/gtest.h>

#include "html_checker.h"

namespace leakgate::reports::testing {
namespace {

TEST(HtmlChecker, AcceptsWellFormedDocument) {
  EXPECT_TRUE(check_well_formed("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/>"
                                "<style>a > b {}</style></head><body><p>a &amp; b &#39;</p>"
                                "<br/><svg><path d=\"M0 0\"/></svg><script>if (a < b) {}</script>"
                                "</body></html>")
                  .empty());
}

TEST(HtmlChecker, RejectsUnclosedAndMisnestedElements) {
  EXPECT_FALSE(check_well_formed("<div><p>text</div>").empty());
  EXPECT_FALSE(check_well_formed("<div>").empty());
}

TEST(HtmlChecker, RejectsUnescapedText) {
  EXPECT_FALSE(check_well_formed("<p>a & b</p>").empty());
  EXPECT_FALSE(check_well_formed("<p>a > b</p>").empty());
  EXPECT_FALSE(check_well_formed("<p>a < b</p>").empty());
  EXPECT_FALSE(check_well_formed("<p title=\"a<b\">x</p>").empty());
  EXPECT_FALSE(check_well_formed("<p title=unquoted>x</p>").empty());
}

}  // namespace
}  // namespace leakgate::reports::testing
