// The three historical guard tests, ported from the integration suite that ran out of memory:
// (1) the client reused one session, (2) the sync loop used one engine, (3) shutdown left
// nothing behind. Plain GoogleTest here; budgets are added by the leak suite.
#include <signal.h>

#include "daemon_test.h"
#include "leakgate/counter_file.h"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

class HistoricalTest : public DaemonTest {};

TEST_F(HistoricalTest, OneClientReusesOneSessionAcrossManyCalls) {
  start();
  const auto& sessions = leakgate::kind("sessions");
  const int64_t live_before = sessions.live();
  const int64_t created_before = sessions.created();
  {
    Client tracker = client();
    for (int i = 0; i < 200; ++i) {
      NewIssue issue;
      issue.title = "call " + std::to_string(i);
      const Issue created = tracker.create(issue);
      tracker.get(created.id);
      tracker.list();
      EXPECT_EQ(sessions.live(), live_before + 1) << "after call " << i;
    }
    tracker.stats();
    tracker.health();
  }
  EXPECT_EQ(sessions.created(), created_before + 1) << "one session for all calls";
  EXPECT_EQ(sessions.live(), live_before) << "closed by the client's destructor";
}

TEST_F(HistoricalTest, SyncLoopUsesOneEngineOverManyTicks) {
  start({"--sync-interval", "10ms"});
  Client tracker = client();
  NewIssue issue;
  issue.title = "sync me";
  tracker.create(issue);
  ASSERT_TRUE(eventually([&] { return tracker.stats().ticks >= 50; }));
  EXPECT_EQ(live("engines"), 1);
  EXPECT_EQ(live("db_connections"), 1);
  auto reader = leakgate::CounterFileReader::open(counters_.string());
  ASSERT_TRUE(reader);
  const auto snapshot = reader->read();
  ASSERT_NE(snapshot.find("engines"), nullptr);
  EXPECT_EQ(snapshot.find("engines")->created, 1) << "no engine per tick";
}

TEST_F(HistoricalTest, CleanShutdownLeavesNothingBehind) {
  start();
  {
    Client tracker = client();
    NewIssue issue;
    issue.title = "before shutdown";
    tracker.create(issue);
    tracker.list();
  }
  const ExitStatus status = daemon().stop(SIGTERM, 5000ms);
  ASSERT_TRUE(status.exited) << daemon().log();
  EXPECT_EQ(status.code, 0);
  EXPECT_LT(status.took, 2000ms);
  EXPECT_TRUE(counter_file_exited(counters_)) << "the process ran its exit path";
  EXPECT_EQ(live("engines"), 0);
  EXPECT_EQ(live("db_connections"), 0);
  EXPECT_FALSE(std::filesystem::exists(socket_));
  EXPECT_FALSE(std::filesystem::exists(db_.string() + "-wal")) << "the last connection closed";
}

}  // namespace
}  // namespace tracker::testing
