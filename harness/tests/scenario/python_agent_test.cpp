// The Python agent's figure names (spawn/python_agent.h): which types are judged by default.
#include "spawn/python_agent.h"

#include <gtest/gtest.h>

#include "leakgate/metrics.h"

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

}  // namespace
}  // namespace leakgate
