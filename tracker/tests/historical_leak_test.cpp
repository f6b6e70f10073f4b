// The three historical guard tests under leakgate budgets (label leak): one daemon per
// test, sampled over time, judged by the budget listener when each test ends. Two more
// re-inject the historical bugs and expect their budgets to fail, so the listener is
// proven to fire, not only to stay quiet.
#include <thread>

#include "leakgate/leak_test.h"
#include "leakgate/process_probe.h"
#include "tracker/client.h"

namespace tracker {
namespace {

using namespace std::chrono_literals;

leakgate::LeakTestDaemon trackerd(std::vector<std::string> extra = {}) {
  leakgate::LeakTestDaemon daemon;
  daemon.command = {TRACKERD_PATH, "--socket", "${WORKDIR}/t.sock", "--db", "${WORKDIR}/t.db"};
  daemon.command.insert(daemon.command.end(), extra.begin(), extra.end());
  return daemon;
}

NewIssue issue(int i) {
  NewIssue created;
  created.title = "historical " + std::to_string(i);
  return created;
}

class HistoricalLeakTest : public leakgate::LeakTest {};

TEST_F(HistoricalLeakTest, OneClientReusesOneSessionAcrossManyCalls) {
  start_daemon(trackerd({"--sync-interval", "50ms"}));
  set_budget("client.sessions", {.peak = 1, .growth = 0});
  {
    Client client(endpoint());
    const auto round_trip = [&client](int i) {
      const Issue created = client.create(issue(i));
      EXPECT_EQ(client.get(created.id).title, created.title);
      client.list();
      client.remove(created.id);
    };
    for (int i = 0; i < 3; ++i) round_trip(i);
    warmup_done();  // the first writes grow SQLite's page cache
    for (int i = 0; i < 20; ++i) {
      round_trip(i);
      iteration_done();
    }
  }
}

TEST_F(HistoricalLeakTest, SyncLoopUsesOneEngineOverManyTicks) {
  start_daemon(trackerd({"--sync-interval", "10ms"}));
  set_budget("daemon.engines", {.peak = 1, .growth = 0, .at_exit = 0});
  set_budget("daemon.db_connections", {.peak = 1, .growth = 0, .at_exit = 0});
  Client client(endpoint());
  for (int i = 0; i < 3; ++i) client.remove(client.create(issue(i)).id);
  warmup_done();
  for (int i = 0; i < 20; ++i) {
    client.remove(client.create(issue(i)).id);  // no data growth: only the engine is judged
    std::this_thread::sleep_for(15ms);          // a tick or two per iteration
    iteration_done();
  }
  client.close();
}

TEST_F(HistoricalLeakTest, CleanShutdownLeavesNothingBehind) {
  start_daemon(trackerd({"--sync-interval", "20ms"}));
  set_budget("daemon.engines", {.at_exit = 0});
  set_budget("daemon.db_connections", {.at_exit = 0});
  Client client(endpoint());
  for (int i = 0; i < 3; ++i) client.remove(client.create(issue(i)).id);
  warmup_done();  // the first writes grow SQLite's page cache
  // 30 iterations: over 10, a Theil-Sen slope of the heap still wobbled up to ~1 KiB/iter
  // (400 iterations of the same loop measure a slope <= 0).
  for (int i = 0; i < 30; ++i) {
    client.remove(client.create(issue(i)).id);
    iteration_done();
  }
  client.close();
}

// warmup_done(): fds leaked before it are not judged; every request here leaks one, so
// judging the warm-up would fail daemon.fds growth 0 (as regression.fd-per-request does).
TEST_F(HistoricalLeakTest, WarmUpIsNotJudged) {
  start_daemon(trackerd({"--sync-interval", "50ms", "--inject", "fd-per-request"}));
  Client client(endpoint());
  leakgate::ProcessProbe daemon(daemon_pid());
  const auto fds_before = daemon.fd_count();
  for (int i = 0; i < 3; ++i) client.health();
  // The warm-up really leaked (else this test would pass for nothing).
  ASSERT_TRUE(fds_before.has_value());
  ASSERT_GE(daemon.fd_count().value_or(0), *fds_before + 3);
  warmup_done();
  for (int i = 0; i < 5; ++i) iteration_done();
}

TEST_F(HistoricalLeakTest, RegressionSessionPerCallIsCaught) {
  start_daemon(trackerd({"--sync-interval", "50ms"}));
  set_budget("daemon.fds", {.growth = leakgate::kBudgetOff});  // idle-close timing
  set_budget("daemon.fds.socket", {.growth = leakgate::kBudgetOff});
  // Each leaked session is an open connection the daemon buffers until its keep-alive
  // timeout: the daemon's heap grows with them (~1.3 KiB each), as its fds do.
  set_budget("daemon.heap", {.per_iter = leakgate::kBudgetOff});
  expect_violation("client.sessions");
  expect_violation("client.fds");
  expect_violation("client.fds.socket");
  ClientOptions options;
  options.endpoint = endpoint();
  options.session_per_call = true;
  Client client(options);
  for (int i = 0; i < 5; ++i) {
    client.health();
    iteration_done();
  }
}

TEST_F(HistoricalLeakTest, RegressionEnginePerSyncIsCaught) {
  auto daemon = trackerd({"--sync-interval", "10ms", "--inject", "engine-per-sync"});
  set_settle({100ms, 50ms});  // it never settles: every tick leaks
  start_daemon(daemon);
  set_budget("daemon.heap", {.growth = leakgate::kBudgetOff, .per_iter = leakgate::kBudgetOff});
  set_budget("daemon.rss", {.peak = leakgate::kBudgetOff, .per_iter = leakgate::kBudgetOff});
  expect_violation("daemon.engines");
  expect_violation("daemon.db_connections");
  expect_violation("daemon.fds");
  expect_violation("daemon.fds.file");
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(20ms);
    iteration_done();
  }
}

}  // namespace
}  // namespace tracker

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  leakgate::install_budget_listener();
  return RUN_ALL_TESTS();
}
