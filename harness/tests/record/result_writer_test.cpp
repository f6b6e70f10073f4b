// write_result(): a recorded run judged and written as result.json into a real report
// directory (docs/result-schema.md), read back from disk, with the exit code it returns.
#include "record/result_writer.h"

#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "leakgate/scenario_parser.h"
#include "record/calibrated_budgets.h"
#include "../support/test_dir.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;

Scenario scenario_with(const std::string& tail = "") {
  return parse_scenario_text(
      "name: written\n"
      "description: a hand-made record\n"
      "daemon:\n"
      "  command: [/bin/true]\n"
      "steps:\n"
      "  - sleep: 1ms\n" +
          tail,
      "written.yaml");
}

// Five measured iterations of daemon.engines as `engines` lists them (baseline, one value
// per iteration, final); daemon.fds holds at 7 throughout.
RunRecord recorded_run(const std::vector<double>& engines) {
  RunRecord record;
  record.test = "leak.written";
  record.started_at = "2024-05-01T12:00:00Z";
  record.duration_s = 2.5;
  record.warmup = 1;
  record.iterations = static_cast<int>(engines.size()) - 2;
  record.completed_iterations = record.iterations;
  record.sources = {{"/proc", true, ""}, {"counter file", true, ""}};
  record.begin_phase("warmup", 0.0);
  record.begin_phase("measured", 1.0);
  record.timeline.append(0.5, {{"daemon.engines", engines.front()}, {"daemon.fds", 7}});
  record.baseline = Frame{{"daemon.engines", engines.front()}, {"daemon.fds", 7}};
  record.timeline.open_peak_window();
  for (size_t i = 1; i + 1 < engines.size(); ++i) {
    const double t = 1.0 + 0.1 * static_cast<double>(i);
    const Frame checkpoint{{"daemon.engines", engines[i]}, {"daemon.fds", 7}};
    record.timeline.append(t, checkpoint);
    record.timeline.mark_peak_window();
    record.checkpoints.add(static_cast<int>(i), t, checkpoint);
  }
  record.final = Frame{{"daemon.engines", engines.back()}, {"daemon.fds", 7}};
  record.timeline.append(2.0, *record.final);
  record.end_phase(2.0);
  record.daemon_at_exit = CounterSnapshot{};
  record.daemon_at_exit->kinds.push_back(KindSnapshot{"engines", 0, 0, 0});
  record.daemon_command = {"/bin/true"};
  record.daemon_pid = 4321;
  record.daemon_exit = ExitStatus{std::nullopt, SIGTERM, false};
  record.stop_description = "stopped by SIGTERM without a handler";
  record.stdout_tail = "{\"event\":\"ready\"}\n";
  return record;
}

struct Written {
  RunOutcome outcome;
  nlohmann::json result;  // result.json as read back from the report directory
};

class ResultWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    // A history database named by the environment would collect these made-up results.
    unsetenv("LEAKGATE_HISTORY");
    fs::create_directories(root_.path() / "work");
    std::ofstream(root_.path() / "work" / "daemon.stdout") << "{\"event\":\"ready\"}\nserving\n";
    std::ofstream(root_.path() / "work" / "daemon.stderr") << "warning: something\n";
  }

  fs::path report_dir() const { return root_.path() / "reports"; }

  // The one call of write_result (its signature is about to change: adapt here only).
  Written write(const Scenario& scenario, const RunRecord& record) {
    RunOptions options;
    options.report_dir = report_dir();
    options.progress = RunOptions::Progress::kQuiet;
    Written written;
    // As the runner does: calibrations resolved once, judged, then written down.
    const Judgement judgement =
        judge(scenario, record, load_calibration(scenario, record.test, options));
    written.outcome = write_result(scenario, options, record, judgement, root_.path() / "work");
    std::ifstream in(written.outcome.result_path);
    EXPECT_TRUE(in) << written.outcome.result_path;
    if (in) written.result = nlohmann::json::parse(in);
    // The outcome carries the judge's verdict (leakgate run's table prints it).
    EXPECT_EQ(written.outcome.verdict, written.result.value("verdict", "?"));
    return written;
  }

  const testing::TestDir root_{"result-writer"};  // removed when the test ends
};

TEST_F(ResultWriter, CleanRunPassesWithExitZero) {
  const Written w = write(scenario_with(), recorded_run({1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(w.outcome.exit_code, 0);
  EXPECT_EQ(w.outcome.result_path, report_dir() / "leak.written" / "result.json");
  const nlohmann::json& r = w.result;
  EXPECT_EQ(r["schema"], "leakgate.result/1");
  EXPECT_EQ(r["test"], "leak.written");
  EXPECT_EQ(r["scenario"]["name"], "written");
  EXPECT_EQ(r["scenario"]["file"], "written.yaml");
  EXPECT_EQ(r["verdict"], "pass");
  EXPECT_EQ(r["exit_code"], 0);
  EXPECT_EQ(r["summary"].get<std::string>().rfind("PASS leak.written", 0), 0u) << r["summary"];
  EXPECT_TRUE(r["violations"].empty());
  EXPECT_TRUE(r["error"].is_null());
  EXPECT_EQ(r["iterations"]["measured"], 5);
  EXPECT_EQ(r["duration_s"], 2.5);
  EXPECT_EQ(r["daemon"]["pid"], 4321);
  EXPECT_EQ(r["daemon"]["exit"]["signal"], "SIGTERM");
  EXPECT_TRUE(r["daemon"]["exit"]["code"].is_null());
  EXPECT_EQ(r["daemon"]["stop"], "stopped by SIGTERM without a handler");

  const nlohmann::json& engines = r["metrics"]["daemon.engines"];
  EXPECT_EQ(engines["unit"], "count");
  EXPECT_EQ(engines["baseline"], 1.0);
  EXPECT_EQ(engines["final"], 1.0);
  EXPECT_EQ(engines["growth"], 0.0);
  EXPECT_EQ(engines["peak"], 1.0);
  EXPECT_EQ(engines["at_exit"], 0.0);
  EXPECT_EQ(engines["checkpoints"].size(), 5u);
  EXPECT_EQ(engines["budget"]["growth"], 0.0);
  EXPECT_EQ(engines["budget"]["source"], "default");
  EXPECT_EQ(engines["verdict"], "pass");

  // The daemon's full output is kept beside the report.
  std::ifstream kept(report_dir() / "leak.written" / "daemon.stdout");
  std::string line;
  ASSERT_TRUE(std::getline(kept, line));
  EXPECT_EQ(line, "{\"event\":\"ready\"}");
}

TEST_F(ResultWriter, TimelineHasOneTimeAndOneValueOrNullPerRow) {
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1});
  record.timeline.append(2.1, {{"daemon.fds", 7}});  // daemon.engines absent: null
  const Written w = write(scenario_with(), record);
  const nlohmann::json& timeline = w.result["timeline"];
  ASSERT_EQ(timeline["t_s"].size(), 8u);
  EXPECT_EQ(timeline["t_s"][0], 0.5);
  EXPECT_EQ(timeline["t_s"][7], 2.1);
  ASSERT_EQ(timeline["series"]["daemon.engines"].size(), 8u);
  EXPECT_EQ(timeline["series"]["daemon.engines"][0], 1.0);
  EXPECT_TRUE(timeline["series"]["daemon.engines"][7].is_null());
  EXPECT_EQ(timeline["series"]["daemon.fds"][7], 7.0);
  ASSERT_EQ(w.result["phases"].size(), 2u);
  EXPECT_EQ(w.result["phases"][1]["name"], "measured");
  EXPECT_EQ(w.result["phases"][1]["end_s"], 2.0);
}

TEST_F(ResultWriter, ViolationFailsWithExitOneAndItsMessage) {
  RunRecord record = recorded_run({1, 9, 17, 25, 33, 41, 41});
  record.daemon_live_objects = nlohmann::json::parse(R"json({"kinds": [{"kind": "engines",
      "groups": [{"count": 40, "frames": ["tracker::SyncLoop::tick() (tracker/src/daemon/sync_loop.cpp:57)"]}]}]})json");
  const Written w = write(scenario_with(), record);
  EXPECT_EQ(w.outcome.exit_code, 1);
  const nlohmann::json& r = w.result;
  EXPECT_EQ(r["verdict"], "fail");
  EXPECT_EQ(r["exit_code"], 1);
  EXPECT_EQ(r["summary"].get<std::string>().rfind("FAIL leak.written", 0), 0u) << r["summary"];
  ASSERT_EQ(r["violations"].size(), 1u) << r["violations"];
  const nlohmann::json& growth = r["violations"][0];
  EXPECT_EQ(growth["metric"], "daemon.engines");
  EXPECT_EQ(growth["key"], "growth");
  EXPECT_EQ(growth["limit"], 0.0);
  EXPECT_EQ(growth["observed"], 40.0);
  EXPECT_EQ(growth["expected"], false);
  EXPECT_EQ(growth["message"], "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)");
  EXPECT_EQ(r["metrics"]["daemon.engines"]["verdict"], "fail");
  EXPECT_EQ(r["metrics"]["daemon.engines"]["growth"], 40.0);
  EXPECT_EQ(r["metrics"]["daemon.fds"]["verdict"], "pass");
  EXPECT_EQ(r["attribution"]["objects"]["daemon.engines"][0]["count"], 40);
  const std::string message = r["message"];
  EXPECT_NE(message.find("daemon.engines growth +40 > 0"), std::string::npos) << message;
  EXPECT_NE(message.find("40 live daemon.engines created at tracker::SyncLoop::tick"),
            std::string::npos)
      << message;
  EXPECT_EQ(w.outcome.verdict_text, message);
}

TEST_F(ResultWriter, ExpectedViolationPassesAsExpectedFail) {
  const Written w = write(scenario_with("expect_violations: [daemon.engines]\n"),
                          recorded_run({1, 9, 17, 25, 33, 41, 41}));
  EXPECT_EQ(w.outcome.exit_code, 0);
  EXPECT_EQ(w.result["verdict"], "pass");
  EXPECT_EQ(w.result["metrics"]["daemon.engines"]["verdict"], "expected-fail");
  EXPECT_EQ(w.result["violations"][0]["expected"], true);
}

TEST_F(ResultWriter, ExplicitBudgetNeverReadIsNotJudgedAndFails) {
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1});
  record.sources[1] = {"counter file", false, "counter file never appeared"};
  record.daemon_at_exit.reset();
  for (auto* frame : {&*record.baseline, &*record.final}) frame->erase("daemon.engines");
  record.timeline = Timeline();
  record.checkpoints.clear();
  const Written w = write(scenario_with("budgets:\n  daemon.engines: {growth: 0}\n"), record);
  EXPECT_EQ(w.outcome.exit_code, 1);
  const nlohmann::json& r = w.result;
  EXPECT_EQ(r["verdict"], "fail");
  EXPECT_EQ(r["metrics"]["daemon.engines"]["verdict"], "not-judged");
  EXPECT_EQ(r["metrics"]["daemon.engines"]["budget"]["source"], "scenario");
  EXPECT_TRUE(r["metrics"]["daemon.engines"]["growth"].is_null());
  bool listed = false;
  for (const auto& entry : r["not_judged"]) {
    if (entry["metric"] == "daemon.engines" && entry["key"] == "growth") {
      listed = true;
      EXPECT_EQ(entry["explicit"], true);
      EXPECT_EQ(entry["reason"], "counter file never appeared");
    }
  }
  EXPECT_TRUE(listed) << r["not_judged"];
  ASSERT_EQ(r["sources"].size(), 2u);
  EXPECT_EQ(r["sources"][1]["live"], false);
  EXPECT_EQ(r["sources"][1]["reason"], "counter file never appeared");
}

TEST_F(ResultWriter, RunFailureIsAnErrorWithItsStepAndSignal) {
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1});
  record.failure = RunFailure{"daemon crashed",
                              "the daemon died during the step",
                              "client create_thing",
                              "written.yaml:6:5",
                              3,
                              ExitStatus{std::nullopt, SIGSEGV, false}};
  record.stderr_tail = "segfault in tick\n";
  const Written w = write(scenario_with(), record);
  EXPECT_EQ(w.outcome.exit_code, 1);
  const nlohmann::json& r = w.result;
  EXPECT_EQ(r["verdict"], "error");
  EXPECT_EQ(r["exit_code"], 1);
  EXPECT_EQ(r["error"]["what"], "daemon crashed");
  EXPECT_EQ(r["error"]["step"], "client create_thing");
  EXPECT_EQ(r["error"]["where"], "written.yaml:6:5");
  EXPECT_EQ(r["error"]["iteration"], 3);
  EXPECT_EQ(r["error"]["signal"], "SIGSEGV");
  EXPECT_TRUE(r["error"]["exit_code"].is_null());
  EXPECT_EQ(r["summary"],
            "FAIL leak.written  daemon crashed in iteration 3, step 'client create_thing' "
            "(written.yaml:6:5): killed by SIGSEGV");
  EXPECT_NE(r["message"].get<std::string>().find("| segfault in tick"), std::string::npos)
      << r["message"];
  EXPECT_EQ(r["daemon"]["stderr_tail"], "segfault in tick\n");
}

}  // namespace
}  // namespace leakgate
