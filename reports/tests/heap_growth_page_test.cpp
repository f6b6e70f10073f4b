// The attribution section of a profiling run (leakgate run --profile heap,client-heap):
// the daemon's growth sites and the harness's own, each under its heading.
#include <gtest/gtest.h>

#include "html_checker.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

constexpr const char* kDaemonHeading = "<h3>Heap growth by allocation site: daemon</h3>";
constexpr const char* kClientHeading =
    "<h3>Heap growth by allocation site: client side (harness process)</h3>";

json profiled(json attribution) {
  json result = load_fixture("passing-issue-crud");
  for (const auto& [key, value] : attribution.items()) result["attribution"][key] = value;
  return result;
}

std::string rendered(const json& result) {
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  return html;
}

// The text between `from` and the next heading or section end.
std::string after(const std::string& html, const std::string& from) {
  const auto start = html.find(from);
  if (start == std::string::npos) return {};
  const auto end = html.find("<h3>", start + from.size());
  return html.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(HeapGrowthPage, DaemonAndClientSitesUnderTheirOwnHeadings) {
  const std::string html = rendered(profiled({
      {"heap_growth",
       {{{"function", "tracker::leak_per_request"}, {"bytes", 2621440}, {"objects", 40}}}},
      {"heap_growth_total", 2621920},
      {"heap_growth_svg", "heap-growth.svg"},
      {"client_heap_growth",
       {{{"function", "httplib::Client::Client"}, {"bytes", 19360}, {"objects", 20}},
        {{"function", "std::vector<int>::push_back"}, {"bytes", 64}, {"objects", 1}}}},
      {"client_heap_growth_total", 33751},
      {"client_heap_growth_svg", "client-heap-growth.svg"},
  }));
  const std::string daemon = after(html, kDaemonHeading);
  const std::string client = after(html, kClientHeading);
  ASSERT_FALSE(daemon.empty()) << "no daemon heading";
  ASSERT_FALSE(client.empty()) << "no client heading";
  EXPECT_LT(html.find(kDaemonHeading), html.find(kClientHeading));

  EXPECT_NE(daemon.find("<code>tracker::leak_per_request</code>"), std::string::npos);
  EXPECT_EQ(daemon.find("httplib"), std::string::npos);
  EXPECT_NE(daemon.find("href=\"heap-growth.svg\""), std::string::npos);

  EXPECT_NE(client.find("<code>httplib::Client::Client</code>"), std::string::npos);
  EXPECT_NE(client.find("<code>std::vector&lt;int&gt;::push_back</code>"), std::string::npos);
  EXPECT_NE(client.find(">20<"), std::string::npos) << client;
  EXPECT_EQ(client.find("leak_per_request"), std::string::npos);
  EXPECT_NE(client.find("href=\"client-heap-growth.svg\""), std::string::npos);
}

TEST(HeapGrowthPage, ClientOnlyRunShowsNoDaemonTable) {
  const std::string html = rendered(profiled({{"client_heap_growth", json::array()},
                                              {"client_heap_growth_total", 0},
                                              {"client_heap_growth_svg", nullptr}}));
  EXPECT_EQ(html.find(kDaemonHeading), std::string::npos);
  EXPECT_NE(after(html, kClientHeading).find("no allocation site that grew"), std::string::npos);
}

// A harness without the profiler (leakgate-system-malloc) says so instead of "nothing grew".
TEST(HeapGrowthPage, ErrorInsteadOfAnEmptyTable) {
  const std::string html = rendered(profiled(
      {{"client_heap_growth", json::array()},
       {"client_heap_growth_total", nullptr},
       {"client_heap_growth_svg", nullptr},
       {"client_heap_growth_error", "this harness has no heap profiler <HeapProfilerStart>"}}));
  const std::string client = after(html, kClientHeading);
  EXPECT_NE(client.find("this harness has no heap profiler &lt;HeapProfilerStart&gt;"),
            std::string::npos)
      << client;
  EXPECT_EQ(client.find("no allocation site that grew"), std::string::npos);
}

TEST(HeapGrowthPage, UnprofiledRunHasNoHeapHeading) {
  const std::string html = rendered(load_fixture("passing-issue-crud"));
  EXPECT_EQ(html.find("Heap growth by allocation site"), std::string::npos);
}

TEST(HeapGrowthPage, UnsafeSvgHrefIsDropped) {
  const std::string html = rendered(
      profiled({{"client_heap_growth", {{{"function", "f"}, {"bytes", 8}, {"objects", 1}}}},
                {"client_heap_growth_svg", "javascript:alert(1)"}}));
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
}

}  // namespace
}  // namespace leakgate::reports::testing
