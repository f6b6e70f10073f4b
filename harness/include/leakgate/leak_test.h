// GoogleTest integration: a fixture that runs one daemon per test under the same sampling
// and budgets as `leakgate run`, and a listener that judges the budgets when each test ends.
//
//   class SyncTest : public leakgate::LeakTest {};
//   TEST_F(SyncTest, OneEngine) {
//     start_daemon({.command = {TRACKERD, "--socket", "${WORKDIR}/t.sock", "--db",
//     "${WORKDIR}/db"}}); set_budget("daemon.engines", {.peak = 1, .growth = 0, .at_exit = 0}); for
//     (...) { ...; iteration_done(); }
//   }
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     leakgate::install_budget_listener();
//     return RUN_ALL_TESTS();
//   }
//
// Client objects (sessions) must be released by the end of the test body: the final
// snapshot is taken in TearDown.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leakgate/scenario.h"

namespace leakgate {

struct LeakTestDaemon {
  std::vector<std::string> command;  // ${WORKDIR} and ${PORT} are expanded
  std::map<std::string, std::string> env;
  Millis ready_timeout{10000};
  Millis stop_timeout{2000};
  SettleSpec settle{Millis{3000}, Millis{100}};
  double sample_hz = 200;
};

class LeakTest : public ::testing::Test {
 public:
  LeakTest();
  ~LeakTest() override;

 protected:
  // Starts the daemon, waits for its readiness line, settles and takes the baseline.
  void start_daemon(LeakTestDaemon daemon);
  const std::string& endpoint() const;
  pid_t daemon_pid() const;
  const std::filesystem::path& workdir() const;

  // Budgets for this test, merged over the documented defaults (docs/metrics.md).
  void set_budget(const std::string& metric, Budget budget);
  // For regression ports: the test passes only when exactly these budgets fail.
  void expect_violation(const std::string& metric_or_key);
  // A checkpoint after one iteration of the test's loop (for per_iter slopes).
  void iteration_done();
  // Ends the warm-up: what ran so far is not judged (caches, pools and SQLite's page cache
  // fill on first use); settles and takes the baseline again.
  void warmup_done();

  // Settles, takes the final snapshot, stops the daemon and records the at-exit counters.
  void TearDown() override;

 private:
  struct State;
  void take_baseline();
  std::unique_ptr<State> state_;
};

// Appends the listener that judges each LeakTest when it ends. Call once, after
// InitGoogleTest. Tests that are not LeakTests are not judged.
void install_budget_listener();

}  // namespace leakgate
