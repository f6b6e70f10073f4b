#include "attribution.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

TEST(ProjectSite, SkipsAccountingAndStandardLibraryFrames) {
  const std::vector<std::string> frames = {
      "leakgate::ResourceKind::on_create() (harness/src/accounting/registry.cpp:40)",
      "leakgate::Accounted::Accounted(leakgate::ResourceKind&) "
      "(harness/include/leakgate/accounted.h:14)",
      "std::make_unique<tracker::Engine>() (/usr/include/c++/12/bits/unique_ptr.h:1065)",
      "tracker::SyncLoop::tick() (tracker/src/daemon/sync_loop.cpp:57)",
      "tracker::SyncLoop::run() (tracker/src/daemon/sync_loop.cpp:40)"};
  EXPECT_EQ(project_site(frames),
            "tracker::SyncLoop::tick() (tracker/src/daemon/sync_loop.cpp:57)");
}

TEST(ProjectSite, FallsBackToTheInnermostFrame) {
  EXPECT_EQ(project_site({"std::thread::run()", "??"}), "std::thread::run()");
  EXPECT_EQ(project_site({}), "");
}

TEST(LiveGroups, ReadsBothDumpShapes) {
  const auto one = nlohmann::json::parse(
      R"({"kind":"engines","live":2,"groups":[{"count":2,"frames":["leakgate::Accounted::Accounted()","f()"]}]
})");
  auto groups = live_groups_of(one, "engines");
ASSERT_EQ(groups.size(), 1u);
EXPECT_EQ(groups[0]["count"], 2);
EXPECT_EQ(groups[0]["site"], "f()");
  const auto all = nlohmann::json::parse(
      R"({"kinds":[{"kind":"sessions","groups":[]},{"kind":"engines","groups":[{"count":3,"frames":["g()"]
  }]
  }]
  })");
  EXPECT_EQ(live_groups_of(all, "engines")[0]["count"], 3);
  EXPECT_TRUE(live_groups_of(all, "widgets").empty());
  EXPECT_TRUE(live_groups_of(nullptr, "engines").empty());
  }

  TEST(NewFds, ListsOnlyFdsNotPresentAtBaseline) {
    const std::vector<FdInfo> before = {{3, FdType::kFile, "/db"},
                                        {4, FdType::kSocket, "socket:[1]"}};
    const std::vector<FdInfo> after = {{3, FdType::kFile, "/db"},
                                       {4, FdType::kSocket, "socket:[2]"},
                                       {5, FdType::kFile, "/dev/null"}};
    const auto fresh = new_fds(before, after);
    ASSERT_EQ(fresh.size(), 2u);
    EXPECT_EQ(fresh[0]["target"], "socket:[2]");
    EXPECT_EQ(fresh[1]["fd"], 5);
    EXPECT_EQ(fresh[1]["type"], "file");
  }

  }  // namespace
  }  // namespace leakgate
