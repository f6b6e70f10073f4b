// GoogleTest integration: a fixture that runs one daemon per test through the same engine as
// `leakgate run` (leakgate/leak_run.h): the test body takes the place of a scenario's steps.
// Same settle, budgets, history (`regress`), attribution and result.json: each test writes its
// page into $LEAKGATE_REPORT_DIR (default ./leak-reports) beside the scenario tests.
//
//   class SyncTest : public leakgate::LeakTest {};
//   TEST_F(SyncTest, OneEngine) {
//     start_daemon({.command = {TRACKERD, "--socket", "${WORKDIR}/t.sock",
//                               "--db", "${WORKDIR}/db"}});
//     set_budget("daemon.engines", {.peak = 1, .growth = 0, .at_exit = 0});
//     for (...) { ...; iteration_done(); }
//   }
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     leakgate::install_budget_listener();  // optional: where the report is, at the end
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
  // kNone for a daemon that does not link leakgate::accounting (/proc figures only).
  DaemonSpec::Counters counters = DaemonSpec::Counters::kShm;
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

  // Settles, takes the final snapshot, stops the daemon, judges the budgets (a violation
  // fails the test) and writes result.json and the page.
  void TearDown() override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Appends a listener that says, when the program ends, how many LeakTests were judged and
// where their report index is. Optional: each test prints its verdict and judges in TearDown.
void install_budget_listener();

}  // namespace leakgate
