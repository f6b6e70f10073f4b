#include "leakgate/metrics.h"

#include <gtest/gtest.h>

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

TEST(Metrics, EveryCatalogueMetricHasADefaultExceptPss) {
  for (const MetricInfo& info : metric_catalogue({"widgets"})) {
    const Budget b = default_budget(info.name);
    const bool any = b.peak || b.growth || b.per_iter || b.at_exit || b.regress;
    EXPECT_EQ(any, info.resource != "pss") << info.name;
  }
}

}  // namespace
}  // namespace leakgate
