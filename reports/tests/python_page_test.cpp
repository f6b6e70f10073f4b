// A Python daemon's page (daemon: {python: true}): the types whose live objects grew with
// where they were made, and the ResourceWarnings it raised with their lines. Figures from
// a real run of scenarios/foreign/seed-engine-per-tick.yaml and python-unclosed-socket.yaml.
#include <gtest/gtest.h>

#include "html_checker.h"
#include "leakgate/reports/test_page.h"
#include "test_support.h"

namespace leakgate::reports::testing {
namespace {

using nlohmann::json;

constexpr const char* kPythonHeading = "<h3>Python objects that grew</h3>";
constexpr const char* kEngine = "daemon.py.sqlalchemy.engine.base.Engine";
constexpr const char* kPool = "daemon.pylib.sqlalchemy.pool.impl.NullPool";
constexpr const char* kEngineSite =
    "make_engine (scenarios/foreign/seed_tracker.py:29) &lt;- sync_tick "
    "(scenarios/foreign/seed_tracker.py:34)";

json count_figures(double baseline, double final, const std::string& verdict) {
  return {{"baseline", baseline},
          {"final", final},
          {"per_iter", (final - baseline) / 20},
          {"unit", "count"},
          {"verdict", verdict}};
}

json engine_leak() {
  json result = load_fixture("passing-issue-crud");
  result["metrics"][kEngine] = count_figures(4, 24, "expected-fail");
  result["metrics"][kPool] = count_figures(4, 24, "pass");
  result["metrics"]["daemon.pylib.builtins.dict"] = count_figures(5177, 5377, "pass");
  result["metrics"]["daemon.pylib.asyncio.events.TimerHandle"] = count_figures(3, 3, "pass");
  result["metrics"]["daemon.py.heap"] = {{"baseline", 26e6}, {"final", 26.2e6}, {"unit", "bytes"}};
  const json engine_site = {{"count", 23},
                            {"site",
                             "make_engine (scenarios/foreign/seed_tracker.py:29) <- sync_tick "
                             "(scenarios/foreign/seed_tracker.py:34)"},
                            {"frames",
                             {"make_engine (/src/scenarios/foreign/seed_tracker.py:29)",
                              "sync_tick (/src/scenarios/foreign/seed_tracker.py:34)"}}};
  result["violations"] = {{{"metric", kEngine},
                           {"key", "per_iter"},
                           {"expected", true},
                           {"limit", 0.5},
                           {"observed", 1.0},
                           {"message", std::string(kEngine) + " per_iter +1/iter > 0.5/iter"}}};
  result["attribution"]["objects"] = {
      {kEngine, {engine_site}},
      {kPool, {{{"count", 23}, {"site", engine_site["site"]}, {"frames", engine_site["frames"]}}}}};
  return result;
}

std::string python_page(const json& result) {
  const std::string html = render_test_page(result);
  for (const auto& problem : check_well_formed(html)) ADD_FAILURE() << problem;
  return html;
}

// The table row of `metric`, or "" when it has none.
std::string row_of(const std::string& html, const std::string& metric) {
  const auto cell = html.find("<tr><td><code>" + metric + "</code></td>");
  if (cell == std::string::npos) return {};
  return html.substr(cell, html.find("</tr>", cell) - cell);
}

TEST(PythonPage, GrowingTypesWithWhereTheyWereMade) {
  const std::string html = python_page(engine_leak());
  ASSERT_NE(html.find(kPythonHeading), std::string::npos);
  const std::string engine = row_of(html, kEngine);
  EXPECT_NE(engine.find(kEngineSite), std::string::npos) << engine;
  EXPECT_NE(engine.find("over budget (expected)"), std::string::npos) << engine;
  EXPECT_NE(engine.find("/src/scenarios/foreign/seed_tracker.py:34"), std::string::npos)
      << "every frame behind the disclosure: " << engine;
  const std::string pool = row_of(html, kPool);
  EXPECT_NE(pool.find(">reported<"), std::string::npos) << pool;
  EXPECT_NE(pool.find(kEngineSite), std::string::npos) << pool;
  EXPECT_NE(row_of(html, "daemon.pylib.builtins.dict").find("not sampled"), std::string::npos);
  EXPECT_EQ(row_of(html, "daemon.pylib.asyncio.events.TimerHandle"), "") << "it did not grow";
  EXPECT_EQ(row_of(html, "daemon.py.heap"), "") << "bytes, not a type";
  // The violated type first, then the reported ones by growth (+200 dicts, +20 pools).
  const std::string dict = row_of(html, "daemon.pylib.builtins.dict");
  EXPECT_LT(html.find(row_of(html, kEngine)), html.find(dict));
  EXPECT_LT(html.find(dict), html.find(row_of(html, kPool)));
  // The banner names the violated type's site, as for a native kind.
  EXPECT_NE(html.find("23 still live were created at <code>" + std::string(kEngineSite)),
            std::string::npos);
}

TEST(PythonPage, NativeKindsKeepTheirOwnTable) {
  json result = engine_leak();
  result["attribution"]["objects"]["daemon.engines"] = {
      {{"count", 40}, {"site", "tracker::SyncLoop::tick()"}, {"frames", json::array()}}};
  const std::string html = python_page(result);
  const auto stacks = html.find("<h3>Live objects by creation stack</h3>");
  ASSERT_NE(stacks, std::string::npos);
  const std::string table = html.substr(stacks, html.find(kPythonHeading) - stacks);
  EXPECT_NE(table.find("<code>daemon.engines</code>"), std::string::npos);
  EXPECT_EQ(table.find("daemon.py"), std::string::npos) << "Python types only in their table";
}

TEST(PythonPage, NoTableWithoutPythonFigures) {
  const std::string html = python_page(load_fixture("failing-engines-leak"));
  EXPECT_EQ(html.find(kPythonHeading), std::string::npos);
}

TEST(PythonPage, ResourceWarningsWithTheirLinesBeforeTheNotes) {
  json result = load_fixture("passing-issue-crud");
  const std::string warning =
      "ResourceWarning at /src/scenarios/foreign/python_unclosed_socket_daemon.py:30 (22 "
      "times): unclosed <socket.socket fd=7, family=2, type=2, proto=0> (allocated at "
      "local_address (/src/scenarios/foreign/python_unclosed_socket_daemon.py:32) <- "
      "Handler.route (/src/scenarios/foreign/python_unclosed_socket_daemon.py:27))";
  result["warnings"] = {"the machine was loaded (load average 9.8 on 2 CPUs)", warning};
  const std::string html = python_page(result);
  const auto section = html.find("<section id=\"warnings\">");
  ASSERT_NE(section, std::string::npos);
  const auto resource = html.find("<h3>ResourceWarnings raised in the daemon</h3>", section);
  const auto line = html.find(
      "ResourceWarning at /src/scenarios/foreign/python_unclosed_socket_daemon.py:30 (22 times): "
      "unclosed &lt;socket.socket",
      section);
  const auto made = html.find(
      "allocated at local_address (/src/scenarios/foreign/python_unclosed_socket_daemon.py:32)",
      section);
  const auto notes = html.find("<h3>Notes on the run</h3>", section);
  ASSERT_NE(resource, std::string::npos);
  ASSERT_NE(line, std::string::npos);
  ASSERT_NE(made, std::string::npos);
  ASSERT_NE(notes, std::string::npos);
  EXPECT_LT(resource, line);
  EXPECT_LT(line, notes);
  EXPECT_NE(html.find("load average 9.8", notes), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#warnings\">"), std::string::npos) << "listed in the contents";
}

}  // namespace
}  // namespace leakgate::reports::testing
