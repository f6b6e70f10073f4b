#include "judge/attribution.h"

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
            "tracker::SyncLoop::tick (tracker/src/daemon/sync_loop.cpp:57) <- "
            "tracker::SyncLoop::run (tracker/src/daemon/sync_loop.cpp:40)");
}

TEST(ProjectSite, NamesWhoCalledTheConstructorsNotTheConstructors) {
  const std::vector<std::string> frames = {
      "tracker::SqliteConnection::SqliteConnection(std::filesystem::path const&) "
      "(" LEAKGATE_SOURCE_DIR "/tracker/src/storage/sqlite_connection.cpp:20)",
      "tracker::Engine::Engine(std::filesystem::path) (" LEAKGATE_SOURCE_DIR
      "/tracker/src/storage/engine.cpp:82)",
      "std::unique_ptr<tracker::Engine> std::make_unique<tracker::Engine>(path const&) "
      "(/usr/include/c++/12/bits/unique_ptr.h:1065)",
      "tracker::run_daemon(tracker::DaemonOptions const&) (" LEAKGATE_SOURCE_DIR
      "/tracker/src/daemon/daemon.cpp:61)",
      "main (" LEAKGATE_SOURCE_DIR "/tracker/src/daemon/main.cpp:18)"};
  EXPECT_EQ(project_site(frames), "tracker::run_daemon (tracker/src/daemon/daemon.cpp:61)");
}

TEST(ShortFrame, DropsParametersAndTheSourceRoot) {
  EXPECT_EQ(
      short_frame("ns::f<int>(std::vector<int> const&) const (" LEAKGATE_SOURCE_DIR "/a/b.cpp:3)"),
      "ns::f<int> (a/b.cpp:3)");
  EXPECT_EQ(short_frame("g"), "g");
}

TEST(ProjectSite, FallsBackToTheInnermostFrame) {
  EXPECT_EQ(project_site({"std::thread::run()", "??"}), "std::thread::run");
  EXPECT_EQ(project_site({}), "");
}

// A daemon without debug info under an installed leakgate: the preload library's frames have
// no source file, only the library's name, and are still not the site.
TEST(ProjectSite, SkipsTheInstalledPreloadLibrary) {
  EXPECT_EQ(project_site({"?? (/opt/lg/lib/libleakgate_preload.so+0x8cf3)",
                          "?? (/opt/lg/lib/libleakgate_preload.so+0x7a10)",
                          "?? (/usr/bin/echo_daemon+0x1234)"}),
            "?? (/usr/bin/echo_daemon+0x1234)");
}

TEST(LiveGroups, ReadsBothDumpShapes) {
  const auto one = nlohmann::json::parse(R"json({"kind": "engines", "live": 2, "groups": [
      {"count": 2, "frames": ["leakgate::Accounted::Accounted()", "f()"]}]})json");
  auto groups = live_groups_of(one, "engines");
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["count"], 2);
  EXPECT_EQ(groups[0]["site"], "f");
  const auto all = nlohmann::json::parse(R"json({"kinds": [
      {"kind": "sessions", "groups": []},
      {"kind": "engines", "groups": [{"count": 3, "frames": ["g()"]}]}]})json");
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

TEST(HeapSiteGrowth, FinalMinusBaselinePerSiteLargestFirst) {
  const auto baseline = nlohmann::json::parse(R"json({"kinds": [], "heap_sites": [
      {"bytes": 8192, "count": 8, "frames": ["malloc (harness/src/preload/heap_hooks.c:130)",
                                           "leak_once (/src/heap_daemon.c:25)",
                                           "serve (/src/heap_daemon.c:50)"]},
      {"bytes": 4096, "count": 1, "frames": ["init_table (/src/heap_daemon.c:70)"]}]})json");
  const auto final = nlohmann::json::parse(R"json({"kinds": [], "heap_sites": [
      {"bytes": 40960, "count": 40, "frames": ["malloc (harness/src/preload/heap_hooks.c:130)",
                                             "leak_once (/src/heap_daemon.c:25)",
                                             "serve (/src/heap_daemon.c:50)"]},
      {"bytes": 16384, "count": 16, "frames": ["malloc (harness/src/preload/heap_hooks.c:130)",
                                             "leak_once (/src/heap_daemon.c:25)",
                                             "serve (/src/heap_daemon.c:50)",
                                             "other_caller (/src/heap_daemon.c:90)"]},
      {"bytes": 2048, "count": 2, "frames": ["grow_cache (/src/heap_daemon.c:80)"]},
      {"bytes": 4096, "count": 1, "frames": ["init_table (/src/heap_daemon.c:70)"]}]})json");
  const auto growth = heap_site_growth(baseline, final);
  ASSERT_EQ(growth.size(), 2u);  // init_table did not grow
  // Two stacks that share the project frames are one site: 40960 + 16384 - 8192.
  EXPECT_EQ(growth[0]["site"],
            "leak_once (/src/heap_daemon.c:25) <- serve (/src/heap_daemon.c:50)");
  EXPECT_EQ(growth[0]["bytes"], 49152);
  EXPECT_EQ(growth[0]["count"], 48);
  EXPECT_EQ(growth[0]["frames"].size(), 3u);  // the largest stack's
  EXPECT_EQ(growth[1]["site"], "grow_cache (/src/heap_daemon.c:80)");
  EXPECT_EQ(growth[1]["bytes"], 2048);
}

TEST(HeapSiteGrowth, NeedsHeapSitesInBothDumps) {
  const auto sites = nlohmann::json::parse(
      R"json({"heap_sites": [{"bytes": 10, "count": 1, "frames": ["f (/a.c:1)"]}]})json");
  EXPECT_TRUE(heap_site_growth(nullptr, sites).empty());
  EXPECT_TRUE(heap_site_growth(nlohmann::json::parse(R"({"kinds": []})"), sites).empty());
  EXPECT_EQ(heap_site_growth(nlohmann::json::parse(R"({"heap_sites": []})"), sites).size(), 1u);
}

}  // namespace
}  // namespace leakgate
