// GoogleTest integration: a fixture that runs one daemon per test through the same engine as
// `leakgate run` (leakgate/leak_run.h): the test body takes the place of a scenario's steps.
// Same daemon description (a scenario's `daemon:` block: DaemonSpec, from C++ fields or from
// YAML), settle, budgets, history (`regress`), attribution and result.json: each test writes
// its page into $LEAKGATE_REPORT_DIR (default ./leak-reports) beside the scenario tests.
//
//   class EchoTest : public leakgate::LeakTest {
//    protected:
//     // Started in SetUp: a daemon that cannot start fails the test there, and the body
//     // does not run.
//     std::optional<leakgate::DaemonSpec> daemon_spec() override {
//       return leakgate::daemon_from_yaml(R"(
//         command: ["${ECHO_DAEMON}", "${WORKDIR}/echo.sock"]
//         ready: {http: /hello}
//         endpoint: unix:${WORKDIR}/echo.sock
//         preload: true
//       )", {{"ECHO_DAEMON", ECHO_DAEMON}});
//     }
//   };
//   TEST_F(EchoTest, OneFdPerRequestAtMost) {
//     set_budget("daemon.fds", {.growth = 0});
//     for (...) { ...request endpoint()...; iteration_done(); }
//   }
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     leakgate::install_budget_listener();  // optional: where the report is, at the end
//     return RUN_ALL_TESTS();
//   }
//
// A fixture that overrides SetUp() calls LeakTest::SetUp() first. Client objects (sessions)
// must be released by the end of the test body: the final snapshot is taken in TearDown.
// Failures are reported at the TEST_F's file and line, never in leakgate's sources; the
// verdict is printed once, by the engine, as for `leakgate run`.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "leakgate/scenario.h"

namespace leakgate {

// The one daemon description of scenarios and LeakTests (the old name, kept for existing tests).
using LeakTestDaemon = DaemonSpec;

// The file and line of a call, as std::source_location gives them; not it, because clang
// before 15 has no std::source_location with libstdc++ 12 (Debian 12's clang is 14).
struct CallerLine {
  const char* file;
  unsigned line;
  static constexpr CallerLine here(const char* file = __builtin_FILE(),
                                   unsigned line = __builtin_LINE()) {
    return {file, line};
  }
};

// A daemon block in a scenario's YAML syntax (same keys, checks and messages: docs/scenarios.md),
// e.g. "command: [...]\nready: {tcp: ${PORT}}\npreload: true". `variables` are the ${NAME}s it
// may use besides the builtins (${WORKDIR}, ${PORT}, ...), with their values. Throws
// ScenarioError ("<file>:<line> daemon YAML:<line>:<column>: ...", naming the caller's line).
DaemonSpec daemon_from_yaml(std::string_view yaml,
                            const std::map<std::string, std::string>& variables = {},
                            CallerLine where = CallerLine::here());

class LeakTest : public ::testing::Test {
 public:
  LeakTest();
  ~LeakTest() override;

 protected:
  // The daemon every test of the fixture runs, started by SetUp() (with the readiness wait,
  // settle and baseline) before the body; std::nullopt (the default): the body starts it with
  // start_daemon(). A daemon that cannot start is a fatal failure in SetUp: the body does not run.
  virtual std::optional<DaemonSpec> daemon_spec() { return std::nullopt; }
  void SetUp() override;

  // Starts the daemon from the body. If it cannot start, the test fails (a fatal failure: the
  // rest of the body runs only if it checks, e.g. ASSERT_NO_FATAL_FAILURE(start_daemon(...))),
  // and endpoint() is empty. Prefer daemon_spec(), which keeps the body from running.
  void start_daemon(DaemonSpec daemon);
  const std::string& endpoint() const;
  pid_t daemon_pid() const;
  const std::filesystem::path& workdir() const;

  // As a scenario's `settle:` and `sample_hz:` (call before the daemon starts).
  void set_settle(SettleSpec settle);
  void set_sample_hz(double hz);
  // ${NAME} values for the daemon's templates (as `leakgate run --var NAME=VALUE`).
  void set_variable(const std::string& name, const std::string& value);

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
  void start(DaemonSpec daemon);
  struct State;
  std::unique_ptr<State> state_;
};

// Appends a listener that says, when the program ends, how many LeakTests were judged and
// where their report index is. Optional: each test prints its verdict and judges in TearDown.
void install_budget_listener();

}  // namespace leakgate
