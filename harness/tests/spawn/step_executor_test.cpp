// StepExecutor with scenarios from the real parser and real commands: exec steps with
// ${ITER}, values saved from a real HTTP server's answers, failures naming step and place,
// parallel copies that really run at once, signals to a real /bin/sh daemon.
#include "spawn/step_executor.h"

#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "leakgate/daemon_process.h"
#include "leakgate/scenario_parser.h"
#include "../support/test_dir.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;

// A scenario whose steps are `steps` (YAML lines, indented by two). Step N of the text is on
// line 5 + N, its action key in column 5.
Scenario scenario_with_steps(const std::string& steps) {
  return parse_scenario_text(
      "name: steps\n"
      "daemon:\n"
      "  command: [/bin/true]\n"
      "steps:\n" +
          steps,
      "steps.yaml", {"OUT"});
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A real HTTP server on 127.0.0.1 for the http steps: POST /items answers
// {"id": "id-<n>", "nested": {"n": 5}}, GET /items/id-<n> 200, anything else 404.
class ItemServer {
 public:
  ItemServer() {
    server_.Post("/items", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(request.body);
      const nlohmann::json answer = {{"id", "id-" + std::to_string(bodies_.size())},
                                     {"nested", {{"n", 5}}}};
      response.status = 201;
      response.set_content(answer.dump(), "application/json");
    });
    server_.Get(R"(/items/id-\d+)", [this](const httplib::Request& request, httplib::Response&) {
      std::lock_guard lock(mutex_);
      gets_.push_back(request.path);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ItemServer() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> gets() {
    std::lock_guard lock(mutex_);
    return gets_;
  }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::vector<std::string> gets_;
};

class StepExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vars_["WORKDIR"] = dir_.path().string();
    vars_["OUT"] = dir_.path().string();
  }

  // No daemon: steps that need one fail as they would against a daemon that is gone.
  DaemonControl control(const std::string& endpoint = "unix:/nonexistent.sock") {
    return DaemonControl{[endpoint] { return endpoint; }, [](int) { return false; },
                         [] { throw std::runtime_error("no daemon to restart"); }};
  }

  const testing::TestDir dir_{"step-executor"};  // removed when the test ends
  Vars vars_;
};

TEST_F(StepExecutorTest, ExecStepsRunWithTheIteration) {
  const Scenario scenario = scenario_with_steps(
      "  - exec: [/bin/sh, -c, \"echo ${ITER} >> ${OUT}/iterations\"]\n"
      "  - exec:\n"
      "      command: [/bin/sh, -c, \"echo \\\"$NAME $LEAKGATE_ENDPOINT\\\" > ${OUT}/env\"]\n"
      "      env: {NAME: \"copy-${ITER}\"}\n");
  StepExecutor executor(scenario, control("unix:/run/d.sock"));
  for (int iteration = 1; iteration <= 3; ++iteration) executor.run_iteration(iteration, vars_);
  EXPECT_EQ(read(dir_.path() / "iterations"), "1\n2\n3\n");
  EXPECT_EQ(read(dir_.path() / "env"), "copy-3 unix:/run/d.sock\n");
  EXPECT_EQ(vars_.at("ITER"), "3");

  const std::vector<StepStats> stats = executor.stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].what, "exec /bin/sh");
  EXPECT_EQ(stats[0].where, "steps.yaml:5:5");
  EXPECT_EQ(stats[0].calls, 3);
  EXPECT_EQ(stats[0].failures, 0);
  EXPECT_EQ(stats[1].where, "steps.yaml:6:5");
  EXPECT_EQ(stats[1].calls, 3);
}

TEST_F(StepExecutorTest, SavedValuesFlowToLaterSteps) {
  ItemServer server;
  const Scenario scenario = scenario_with_steps(
      "  - http:\n"
      "      method: POST\n"
      "      path: /items\n"
      "      body: {title: \"item ${ITER}\", tags: [\"${ITER}\"]}\n"
      "      expect: 201\n"
      "      save: {item: /id, n: /nested/n}\n"
      "  - exec: [/bin/sh, -c, \"echo ${item} ${n} >> ${OUT}/saved\"]\n"
      "  - http: {path: \"/items/${item}\"}\n");
  StepExecutor executor(scenario, control(server.endpoint()));
  executor.run_iteration(1, vars_);
  executor.run_iteration(2, vars_);
  EXPECT_EQ(read(dir_.path() / "saved"), "id-1 5\nid-2 5\n");
  EXPECT_EQ(server.gets(), (std::vector<std::string>{"/items/id-1", "/items/id-2"}));
  // ${ITER} is expanded inside the body's strings; the body stays JSON.
  ASSERT_EQ(server.bodies().size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(server.bodies()[1]),
            nlohmann::json::parse(R"({"title": "item 2", "tags": ["2"]})"));
  EXPECT_EQ(vars_.at("item"), "id-2");
  EXPECT_EQ(vars_.at("n"), "5");
}

TEST_F(StepExecutorTest, FailingExecThrowsStepFailureWithStepAndWhere) {
  const Scenario scenario = scenario_with_steps(
      "  - exec: [/bin/true]\n"
      "  - exec: [/bin/sh, -c, \"echo broken at ${ITER} >&2; exit 3\"]\n"
      "  - exec: [/bin/sh, -c, \"touch ${OUT}/after\"]\n");
  StepExecutor executor(scenario, control());
  try {
    executor.run_iteration(4, vars_);
    FAIL() << "no StepFailure";
  } catch (const StepFailure& failure) {
    EXPECT_EQ(failure.step, "exec /bin/sh");
    EXPECT_EQ(failure.where, "steps.yaml:6:5");
    EXPECT_STREQ(failure.what(), "expected exit 0, got 3; output: broken at 4\n");
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "after"));  // the steps after a failure do not run
  const std::vector<StepStats> stats = executor.stats();
  EXPECT_EQ(stats[0].failures, 0);
  EXPECT_EQ(stats[1].calls, 1);
  EXPECT_EQ(stats[1].failures, 1);
  EXPECT_EQ(stats[1].first_failure, "expected exit 0, got 3; output: broken at 4\n");
  EXPECT_EQ(stats[2].calls, 0);
}

TEST_F(StepExecutorTest, ExpectedExitCodeIsSuccess) {
  const Scenario scenario = scenario_with_steps(
      "  - exec: {command: [/bin/sh, -c, \"exit 3\"], expect_exit: 3}\n"
      "  - exec: {command: [/bin/true], expect_exit: 1}\n");
  StepExecutor executor(scenario, control());
  try {
    executor.run_iteration(1, vars_);
    FAIL() << "no StepFailure";
  } catch (const StepFailure& failure) {
    EXPECT_EQ(failure.step, "exec /bin/true");
    EXPECT_EQ(failure.where, "steps.yaml:6:5");
    EXPECT_STREQ(failure.what(), "expected exit 1, got 0");
  }
  EXPECT_EQ(executor.stats()[0].failures, 0);
}

TEST_F(StepExecutorTest, MissingProgramAndUnexpectedStatusAreStepFailures) {
  ItemServer server;
  const Scenario missing = scenario_with_steps("  - exec: [leakgate-no-such-program]\n");
  StepExecutor missing_executor(missing, control());
  try {
    missing_executor.run_iteration(1, vars_);
    FAIL() << "no StepFailure";
  } catch (const StepFailure& failure) {
    EXPECT_EQ(failure.step, "exec leakgate-no-such-program");
    EXPECT_STREQ(failure.what(), "'leakgate-no-such-program' not found");
  }

  const Scenario wrong_status = scenario_with_steps("  - http: {path: /nothing-here}\n");
  StepExecutor http_executor(wrong_status, control(server.endpoint()));
  try {
    http_executor.run_iteration(1, vars_);
    FAIL() << "no StepFailure";
  } catch (const StepFailure& failure) {
    EXPECT_EQ(failure.step, "http GET /nothing-here");
    EXPECT_EQ(failure.where, "steps.yaml:5:5");
    EXPECT_EQ(std::string(failure.what()).rfind("expected status 200, got 404", 0), 0u)
        << failure.what();
  }
}

// Each copy arrives, then waits (at most 5 s) until `copies` have arrived: copies run one
// after another would never all arrive, and the first would fail.
constexpr const char* kBarrier = R"sh(mkdir -p "$1"
mktemp "$1/arrived.XXXXXX" > /dev/null
i=0
while [ "$(ls "$1" | wc -l)" -lt "$2" ];
do
  i=$((i + 1))
  [ "$i" -gt 500 ] && exit 1
  sleep 0.01
done
)sh";

TEST_F(StepExecutorTest, ParallelCopiesRunAtTheSameTime) {
  std::ofstream(dir_.path() / "barrier.sh") << kBarrier;
  const Scenario scenario = scenario_with_steps(
      "  - parallel:\n"
      "      copies: 3\n"
      "      steps:\n"
      "        - exec: [/bin/sh, \"${OUT}/barrier.sh\", \"${OUT}/arrivals-${ITER}\", \"3\"]\n"
      "  - exec: [/bin/sh, -c, \"ls ${OUT}/arrivals-${ITER} | wc -l > ${OUT}/count\"]\n");
  StepExecutor executor(scenario, control());
  executor.run_iteration(1, vars_);
  executor.run_iteration(2, vars_);
  EXPECT_EQ(read(dir_.path() / "count"), "3\n");

  const std::vector<StepStats> stats = executor.stats();
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0].what, "parallel x3 (1 steps)");
  EXPECT_EQ(stats[0].calls, 2);
  EXPECT_EQ(stats[1].what, "  exec /bin/sh");  // nested steps are indented
  EXPECT_EQ(stats[1].where, "steps.yaml:8:11");
  EXPECT_EQ(stats[1].calls, 6);  // three copies, two iterations
  EXPECT_EQ(stats[1].failures, 0);
  EXPECT_EQ(stats[2].calls, 2);
}

TEST_F(StepExecutorTest, AFailingCopyFailsTheParallelStepWithItsOwnStep) {
  const Scenario scenario = scenario_with_steps(
      "  - parallel:\n"
      "      copies: 2\n"
      "      steps:\n"
      "        - exec: [/bin/true]\n"
      "        - exec: [/bin/sh, -c, \"exit 4\"]\n");
  StepExecutor executor(scenario, control());
  try {
    executor.run_iteration(1, vars_);
    FAIL() << "no StepFailure";
  } catch (const StepFailure& failure) {
    EXPECT_EQ(failure.step, "exec /bin/sh");
    EXPECT_EQ(failure.where, "steps.yaml:9:11");
    EXPECT_STREQ(failure.what(), "expected exit 0, got 4");
  }
  const std::vector<StepStats> stats = executor.stats();
  EXPECT_EQ(stats[0].failures, 1);  // the parallel step
  EXPECT_EQ(stats[1].calls, 2);
  EXPECT_EQ(stats[2].failures, 2);  // both copies
}

TEST_F(StepExecutorTest, SignalStepReachesARealDaemon) {
  ::signal(SIGHUP, SIG_DFL);  // a shell that starts with HUP ignored (nohup) cannot trap it
  DaemonLaunch launch;
  launch.argv = {
      "/bin/sh", "-c",
      R"sh(trap 'echo got-hup' HUP; echo '{"event":"ready"}'; while :; do sleep 0.02; done)sh"};
  launch.workdir = dir_.path() / "daemon";
  DaemonProcess daemon(launch);
  daemon.wait_ready_stdout(std::chrono::seconds(10));
  const Scenario scenario = scenario_with_steps("  - signal: HUP\n");
  DaemonControl to_daemon{[] { return std::string(); },
                          [&daemon](int signo) { return daemon.signal(signo); },
                          [] { throw std::runtime_error("no restart"); }};
  StepExecutor executor(scenario, to_daemon);
  executor.run_iteration(1, vars_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (daemon.stdout_tail().find("got-hup") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(daemon.stdout_tail().find("got-hup\n"), std::string::npos) << daemon.stdout_tail();
  EXPECT_TRUE(daemon.running());

  daemon.stop(std::chrono::seconds(5));
  try {
    executor.run_iteration(2, vars_);
    FAIL() << "no StepFailure";
  } catch (const StepFailure& failure) {
    EXPECT_EQ(failure.step, "signal SIGHUP");
    EXPECT_EQ(failure.where, "steps.yaml:5:5");
    EXPECT_STREQ(failure.what(), "the daemon is not running");
  }
}

}  // namespace
}  // namespace leakgate
