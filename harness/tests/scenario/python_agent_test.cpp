// The Python agent's figure names (spawn/python_agent.h): which types are judged by default;
// its cadence, and the slope of a figure taken every n-th checkpoint.
#include "spawn/python_agent.h"

#include <gtest/gtest.h>

#include <cmath>

#include "leakgate/budget_eval.h"
#include "leakgate/metrics.h"
#include "sample/checkpoints.h"

namespace leakgate {
namespace {

TEST(PythonAgent, TheDaemonsOwnTypesAreJudged) {
  EXPECT_EQ(python_type_metric("__main__.Flags", true), "daemon.py.__main__.Flags");
  EXPECT_EQ(python_type_metric("tracker.models.Issue", true), "daemon.py.tracker.models.Issue");
  EXPECT_EQ(default_budget(python_type_metric("tracker.models.Issue", true)).per_iter, 0.5);
}

TEST(PythonAgent, WellKnownResourceTypesAreJudgedThoughLibrary) {
  EXPECT_EQ(python_type_metric("sqlalchemy.engine.base.Engine", false),
            "daemon.py.sqlalchemy.engine.base.Engine");
  EXPECT_EQ(python_type_metric("aiohttp.client.ClientSession", false),
            "daemon.py.aiohttp.client.ClientSession");
  EXPECT_TRUE(default_budget(python_type_metric("aiohttp.client.ClientSession", false)).per_iter);
}

TEST(PythonAgent, OtherLibraryTypesAreReportedOnly) {
  const std::string pool = python_type_metric("sqlalchemy.pool.impl.NullPool", false);
  EXPECT_EQ(pool, "daemon.pylib.sqlalchemy.pool.impl.NullPool");
  EXPECT_FALSE(default_budget(pool).per_iter);
  EXPECT_EQ(python_type_metric("builtins.dict", false), "daemon.pylib.builtins.dict");
  // A lookalike of a well-known name is not one.
  EXPECT_EQ(python_type_metric("sqlalchemy.engine.base.EngineX", false),
            "daemon.pylib.sqlalchemy.engine.base.EngineX");
}

TEST(PythonAgent, NamesKeepOnlyMetricCharacters) {
  EXPECT_EQ(python_type_metric("mod.<locals>.Inner", true), "daemon.py.mod._locals_.Inner");
  EXPECT_TRUE(find_metric(python_type_metric("mod.<locals>.Inner", false)));
}

TEST(PythonAgentCadence, EveryIterationWhenASnapshotIsCheap) {
  EXPECT_EQ(python_snapshot_stride(2.0, 100.0, 50), 1);  // 2 % of an iteration
  EXPECT_EQ(python_snapshot_stride(2.5, 10.0, 50), 1);   // exactly a quarter
}

TEST(PythonAgentCadence, SparserWhenASnapshotCostsMoreThanAQuarterOfTheWall) {
  EXPECT_EQ(python_snapshot_stride(10.0, 10.0, 1000), 4);
  EXPECT_EQ(python_snapshot_stride(10.0, 7.0, 1000), 6);  // ceil(10 / 1.75)
}

TEST(PythonAgentCadence, NeverFewerThanTheMinimumCheckpoints) {
  EXPECT_EQ(python_snapshot_stride(10.0, 7.0, 50), 3);   // 16 of 50, not 8
  EXPECT_EQ(python_snapshot_stride(100.0, 1.0, 40), 2);  // 20 of 40
  EXPECT_EQ(python_snapshot_stride(100.0, 1.0, 31), 1);  // 2 * 16 > 31: every one
  EXPECT_EQ(python_snapshot_stride(100.0, 1.0, 20), 1);  // the seed scenarios: 20
  EXPECT_EQ(python_snapshot_stride(100.0, 1.0, 0), 1);   // unknown (auto, a soak): every one
  EXPECT_EQ(python_snapshot_stride(10.0, 0.0, 64), 4);   // no wall measured: the sparsest
  for (int planned : {32, 50, 64, 100, 1000, 100000})
    EXPECT_GE(planned / python_snapshot_stride(1e9, 1.0, planned), kMinPythonCheckpoints);
}

// A figure the agent answers every 3rd checkpoint of 48, rising by 1 per iteration: the NaN
// checkpoints are skipped and the slope over the rest is divided by 3, not by 1.
TEST(PythonAgentCadence, ASparseFigureIsJudgedPerIteration) {
  Checkpoints checkpoints;
  for (int i = 1; i <= 48; ++i) {
    Frame frame{{"daemon.rss", 1000.0}};
    if (i % 3 == 0) frame["daemon.py.__main__.Order"] = 10.0 + i;
    checkpoints.add(i, i * 0.01, frame);
  }
  EXPECT_EQ(checkpoints.iterations_apart("daemon.py.__main__.Order"), 3);
  EXPECT_EQ(checkpoints.iterations_apart("daemon.rss"), 1);
  MetricObservation observation;
  for (double v : checkpoints.values("daemon.py.__main__.Order"))
    if (!std::isnan(v)) observation.checkpoints.push_back(v);
  observation.iterations_per_checkpoint = checkpoints.iterations_apart("daemon.py.__main__.Order");
  ASSERT_EQ(observation.checkpoints.size(), 16u);
  EXPECT_DOUBLE_EQ(per_iter_trend(observation)->slope, 1.0);
}

// Unevenly spaced values (a scrape that failed once) keep the plain spacing, as before.
TEST(PythonAgentCadence, UnevenGapsKeepThePlainSpacing) {
  Checkpoints checkpoints;
  for (int i = 1; i <= 10; ++i) {
    Frame frame;
    if (i != 4) frame["daemon.requests"] = i;
    if (i >= 5) frame["daemon.py.heap"] = i;  // appears late, then every checkpoint
    checkpoints.add(i, i * 0.01, frame);
  }
  EXPECT_EQ(checkpoints.iterations_apart("daemon.requests"), 1);
  EXPECT_EQ(checkpoints.iterations_apart("daemon.py.heap"), 1);
  EXPECT_EQ(checkpoints.iterations_apart("never.seen"), 1);
}

}  // namespace
}  // namespace leakgate
