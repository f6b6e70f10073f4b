#include "leakgate/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "leakgate/verdict.h"

namespace leakgate {
namespace {

TEST(Metrics, CatalogueHasEveryResourceOnBothSides) {
  const auto catalogue = metric_catalogue();
  EXPECT_EQ(catalogue.size(), 2 * (builtin_resources().size() + known_counted_kinds().size()));
  for (const char* name :
       {"daemon.fds", "daemon.fds.socket", "daemon.fds.pipe", "daemon.fds.file", "daemon.fds.anon",
        "daemon.fds.other", "daemon.rss", "daemon.pss", "daemon.threads", "daemon.children",
        "daemon.heap", "daemon.sessions", "daemon.engines", "daemon.db_connections", "client.fds",
        "client.sessions"})
    EXPECT_TRUE(find_metric(name)) << name;
}

TEST(Metrics, UnitsAndSources) {
  EXPECT_EQ(find_metric("daemon.rss")->unit, MetricUnit::kBytes);
  EXPECT_EQ(find_metric("client.heap")->unit, MetricUnit::kBytes);
  EXPECT_EQ(find_metric("daemon.fds.socket")->source, MetricSource::kProcFdType);
  EXPECT_EQ(find_metric("daemon.engines")->source, MetricSource::kCounter);
  EXPECT_EQ(find_metric("client.sessions")->side, MetricSide::kClient);
  EXPECT_EQ(find_metric("client.sessions")->resource, "sessions");
  EXPECT_EQ(metric_unit("daemon.pss"), MetricUnit::kBytes);
  EXPECT_EQ(metric_unit("daemon.whatever"), MetricUnit::kCount);
  EXPECT_EQ(unit_name(MetricUnit::kBytes), "bytes");
}

TEST(Metrics, CustomKindsMustBeDeclared) {
  EXPECT_FALSE(find_metric("daemon.widgets"));
  const auto widgets = find_metric("daemon.widgets", {"widgets"});
  ASSERT_TRUE(widgets);
  EXPECT_TRUE(widgets->custom);
  EXPECT_EQ(widgets->source, MetricSource::kCounter);
  EXPECT_TRUE(find_metric("client.widgets", {"widgets"}));
  EXPECT_FALSE(find_metric("daemon.widget", {"widgets"}));
  EXPECT_FALSE(find_metric("server.fds"));
  EXPECT_FALSE(find_metric("daemon."));
  EXPECT_FALSE(is_valid_kind_name("rss"));
  EXPECT_FALSE(is_valid_kind_name("Widgets"));
  EXPECT_TRUE(is_valid_kind_name("db_pool2"));
}

TEST(Metrics, SuggestsTheClosestName) {
  EXPECT_EQ(closest_metric("daemon.engnes"), "daemon.engines");
  EXPECT_EQ(closest_metric("deamon.fds"), "daemon.fds");
  EXPECT_EQ(closest_metric("daemon.fd.socket"), "daemon.fds.socket");
  EXPECT_EQ(closest_metric("client.widgts", {"widgets"}), "client.widgets");
  EXPECT_EQ(closest_metric("completely.different.thing"), "");
}

TEST(Metrics, DefaultBudgets) {
  EXPECT_EQ(default_budget("daemon.fds").growth, 0);
  EXPECT_EQ(default_budget("client.fds.socket").growth, 0);
  EXPECT_EQ(default_budget("daemon.threads").growth, 0);
  EXPECT_EQ(default_budget("daemon.children").growth, 0);
  EXPECT_EQ(default_budget("daemon.engines").growth, 0);
  EXPECT_EQ(default_budget("daemon.engines").at_exit, 0);
  EXPECT_EQ(default_budget("client.sessions").growth, 0);
  EXPECT_FALSE(default_budget("client.sessions").at_exit);
  EXPECT_EQ(default_budget("daemon.widgets").at_exit, 0);
  EXPECT_EQ(default_budget("daemon.rss").per_iter, 64 * 1024);
  EXPECT_EQ(default_budget("daemon.rss").peak, 512 * 1024 * 1024);
  EXPECT_FALSE(default_budget("daemon.rss").growth);
  EXPECT_EQ(default_budget("daemon.heap").per_iter, 512);
  EXPECT_EQ(default_budget("daemon.heap").growth, 4 * 1024 * 1024);
  const Budget pss = default_budget("daemon.pss");
  EXPECT_FALSE(pss.peak || pss.growth || pss.per_iter || pss.at_exit || pss.regress);
  EXPECT_FALSE(default_budget("nonsense").growth);
}

// The Python agent's figures (spawn/python_agent.h): the daemon's own and well-known resource
// types judged by steady growth, other library types reported only, the heap by trend.
TEST(Metrics, PythonDefaults) {
  EXPECT_EQ(default_budget("daemon.py.sqlalchemy.engine.base.Engine").per_iter, 0.5);
  EXPECT_EQ(default_budget("daemon.py.__main__.Flags").per_iter, 0.5);
  EXPECT_FALSE(default_budget("daemon.py.__main__.Flags").growth);
  EXPECT_FALSE(default_budget("daemon.py.__main__.Flags").at_exit);
  for (const char* library : {"daemon.pylib.sqlalchemy.pool.impl.NullPool",
                              "daemon.pylib.builtins.dict", "daemon.pylib._contextvars.Context"}) {
    const Budget budget = default_budget(library);
    EXPECT_FALSE(budget.peak || budget.growth || budget.per_iter || budget.at_exit ||
                 budget.regress)
        << library;
  }
  EXPECT_EQ(default_budget("daemon.py.heap").per_iter, 2 * 1024);
  EXPECT_TRUE(per_iter_by_trend("daemon.py.heap"));
  EXPECT_FALSE(per_iter_by_trend("daemon.py.sqlalchemy.engine.base.Engine"));
  EXPECT_EQ(metric_unit("daemon.py.heap"), MetricUnit::kBytes);
  EXPECT_EQ(metric_unit("daemon.pylib.asyncio.events.TimerHandle"), MetricUnit::kCount);
}

TEST(Metrics, PythonFiguresAreKnownOnTheDaemonSideOnly) {
  EXPECT_TRUE(find_metric("daemon.py.aiohttp.client.ClientSession"));
  EXPECT_TRUE(find_metric("daemon.pylib.sqlalchemy.sql.elements.TextClause"));
  EXPECT_TRUE(find_metric("daemon.py.heap"));
  EXPECT_EQ(find_metric("daemon.py.heap")->unit, MetricUnit::kBytes);
  EXPECT_FALSE(find_metric("client.py.aiohttp.client.ClientSession"));
  EXPECT_FALSE(find_metric("daemon.py."));
  EXPECT_FALSE(find_metric("daemon.pylib."));
  EXPECT_FALSE(find_metric("daemon.py.a-b"));
}

TEST(Metrics, EveryCatalogueMetricHasADefaultExceptPssAndCgroup) {
  for (const MetricInfo& info : metric_catalogue({"widgets"})) {
    const Budget b = default_budget(info.name);
    const bool any = b.peak || b.growth || b.per_iter || b.at_exit || b.regress;
    // The harness has no orphans of its own: client.orphans is never read. The cgroup's
    // figures exist on some machines only: judged when a scenario asks.
    const bool asked_only = info.resource == "pss" || info.resource.starts_with("cgroup.");
    EXPECT_EQ(any, !asked_only && info.name != "client.orphans") << info.name;
  }
}

// "growth 4.0 MiB, per_iter 512 B" (keys in kBudgetKeys order) or "none".
std::string describe(std::string_view metric, const Budget& budget) {
  std::string text;
  for (std::string_view key : kBudgetKeys)
    if (const auto& limit = budget.*budget_member(key))
      text +=
          (text.empty() ? "" : ", ") + std::string(key) + " " + format_metric_value(metric, *limit);
  return text.empty() ? "none" : text;
}

TEST(Metrics, DocumentedTableMatchesTheCode) {
  std::ifstream doc(LEAKGATE_SCENARIO_TEST_DIR "/../../../docs/metrics.md");
  ASSERT_TRUE(doc) << "docs/metrics.md";
  size_t rows = 0;
  for (std::string line; std::getline(doc, line) && line != "## Budget keys";) {
    if (line.rfind("| `", 0) != 0 && line.rfind("| declared kind", 0) != 0) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    ASSERT_EQ(cells.size(), 5u) << line;
    std::string resource =
        cells[0] == "declared kind" ? "widgets" : cells[0].substr(1, cells[0].size() - 2);
    const auto info = find_metric("daemon." + resource, {"widgets"});
    ASSERT_TRUE(info) << resource;
    EXPECT_EQ(cells[1], unit_name(info->unit)) << resource;
    EXPECT_EQ(cells[2], source_description(info->source)) << resource;
    EXPECT_EQ(cells[3], describe("daemon." + resource, default_budget("daemon." + resource)))
        << resource;
    EXPECT_EQ(cells[4], describe("client." + resource, default_budget("client." + resource)))
        << resource;
    ++rows;
  }
  EXPECT_EQ(rows, builtin_resources().size() + known_counted_kinds().size() + 1);
}

}  // namespace
}  // namespace leakgate
