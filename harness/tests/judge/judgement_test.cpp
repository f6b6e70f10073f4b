// judge(): budgets and attribution from a recorded run. Each RunRecord is built by hand the
// way the runner fills it (timeline rows, baseline and final frames, checkpoints, fd
// lists, live-object dumps), and the scenario comes from YAML through the real parser.
#include "judge/judgement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "leakgate/scenario_parser.h"

namespace leakgate {
namespace {

// A scenario with one step and whatever budgets / expect_violations `tail` adds.
Scenario scenario_with(const std::string& tail = "") {
  const std::string text =
      "name: judged\n"
      "daemon:\n"
      "  command: [/bin/true]\n"
      "steps:\n"
      "  - sleep: 1ms\n" +
      tail;
  return parse_scenario_text(text, "judged.yaml");
}

// Sources as a run with a live counter file and /proc leaves them.
std::vector<SourceState> live_sources() {
  return {{"/proc", true, ""}, {"counter file", true, ""}};
}

// A run of five measured iterations: `engines` holds daemon.engines at the baseline, after
// each iteration (the checkpoints) and at the final snapshot; `fds` the same for daemon.fds.
// `warmup_engines`, when a number, is a warm-up sample of daemon.engines before the baseline.
RunRecord recorded_run(const std::vector<double>& engines, const std::vector<double>& fds,
                       double warmup_engines = kAbsent) {
  RunRecord record;
  record.test = "leak.judged";
  record.warmup = 1;
  record.iterations = static_cast<int>(engines.size()) - 2;
  record.completed_iterations = record.iterations;
  record.sources = live_sources();
  record.begin_phase("warmup", 0.0);
  record.begin_phase("measured", 1.0);
  const auto frame = [&](size_t i) {
    return Frame{{"daemon.engines", engines[i]}, {"daemon.fds", fds[i]}};
  };
  if (!std::isnan(warmup_engines))
    record.timeline.append(0.2, {{"daemon.engines", warmup_engines}});
  record.timeline.append(0.5, frame(0));
  record.baseline = frame(0);
  record.timeline.open_peak_window();  // as the runner does right after the baseline
  for (size_t i = 1; i + 1 < engines.size(); ++i) {
    const double t = 1.0 + 0.1 * static_cast<double>(i);
    record.timeline.append(t, frame(i));
    record.timeline.mark_peak_window();  // as take_checkpoint() does
    record.checkpoints.add(static_cast<int>(i), t, frame(i));
  }
  record.final = frame(engines.size() - 1);
  record.end_phase(2.0);
  record.timeline.append(2.0, *record.final);
  record.daemon_at_exit = CounterSnapshot{};
  record.daemon_at_exit->kinds.push_back(KindSnapshot{"engines", 0, 0, 0});
  record.daemon_at_exit->exited = true;
  return record;
}

RunRecord flat_run() { return recorded_run({1, 1, 1, 1, 1, 1, 1}, {7, 7, 7, 7, 7, 7, 7}); }
RunRecord engine_leak_run() {
  return recorded_run({1, 9, 17, 25, 33, 41, 41}, {7, 7, 7, 7, 7, 7, 7});
}

const Violation* find_violation(const Judgement& judgement, const std::string& metric,
                                const std::string& key) {
  for (const Violation& v : judgement.evaluation.violations) {
    if (v.metric == metric && v.key == key) return &v;
  }
  return nullptr;
}

const NotJudged* find_not_judged(const Judgement& judgement, const std::string& metric,
                                 const std::string& key) {
  for (const NotJudged& entry : judgement.evaluation.not_judged) {
    if (entry.metric == metric && entry.key == key) return &entry;
  }
  return nullptr;
}

std::string lines_of(const Judgement& judgement) {
  std::string text;
  for (const auto& line : judgement.attribution_lines) text += line + "\n";
  return text;
}

TEST(Judge, CleanRecordPasses) {
  const Judgement judgement = judge(scenario_with(), flat_run());
  EXPECT_TRUE(judgement.evaluation.passed);
  EXPECT_TRUE(judgement.evaluation.violations.empty());
  EXPECT_TRUE(judgement.attribution_lines.empty()) << lines_of(judgement);
  EXPECT_GE(judgement.evaluation.metrics_judged, 2);  // daemon.engines and daemon.fds
  const MetricObservation& engines = judgement.observations.at("daemon.engines");
  EXPECT_EQ(engines.baseline, 1);
  EXPECT_EQ(engines.final, 1);
  EXPECT_EQ(engines.peak, 1);
  EXPECT_EQ(engines.at_exit, 0);
  EXPECT_EQ(engines.checkpoints.size(), 5u);
}

TEST(Judge, GrowthViolationSaysBaselineFinalAndPeak) {
  const Judgement judgement = judge(scenario_with(), engine_leak_run());
  EXPECT_FALSE(judgement.evaluation.passed);
  const Violation* growth = find_violation(judgement, "daemon.engines", "growth");
  ASSERT_NE(growth, nullptr);
  EXPECT_EQ(growth->limit, 0);
  EXPECT_EQ(growth->observed, 40);
  EXPECT_FALSE(growth->expected);
  EXPECT_EQ(growth->message, "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)");
  // Nothing else leaked: daemon.fds held at 7.
  EXPECT_EQ(find_violation(judgement, "daemon.fds", "growth"), nullptr);
}

TEST(Judge, PeakIsTakenOnlyOverTheMeasuredPhase) {
  // A warm-up spike before the baseline and one while settling after the last checkpoint.
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1}, {7, 7, 7, 7, 7, 7, 7}, 99);
  record.timeline.append(2.1, {{"daemon.engines", 98}});
  const Judgement judgement =
      judge(scenario_with("budgets:\n  daemon.engines: {peak: 2}\n"), record);
  EXPECT_EQ(judgement.observations.at("daemon.engines").peak, 1);
  EXPECT_TRUE(judgement.evaluation.passed);
}

// A long run keeps every n-th checkpoint: per_iter stays a slope per iteration.
Judgement judge_long_run(double per_iteration, const std::string& metric = "daemon.engines",
                         const std::string& limit = "0.1") {
  RunRecord record = flat_run();
  record.checkpoints.clear();
  const int iterations = 10000;
  for (int i = 1; i <= iterations; ++i)
    record.checkpoints.add(i, 1.0 + i * 1e-4, {{metric, 1e6 + per_iteration * i}});
  EXPECT_EQ(record.checkpoints.every(), 8);
  return judge(scenario_with("budgets:\n  " + metric + ": {per_iter: " + limit +
                             ", growth: none, peak: none}\n"),
               record);
}

TEST(Judge, PerIterOverThinnedCheckpointsIsPerIteration) {
  const Judgement leaking = judge_long_run(0.5);
  const Violation* slope = find_violation(leaking, "daemon.engines", "per_iter");
  ASSERT_NE(slope, nullptr);
  EXPECT_DOUBLE_EQ(slope->observed, 0.5);       // not 4.0: eight iterations between checkpoints
  const Judgement flat = judge_long_run(0.05);  // under the 0.1 budget (0.4 per checkpoint)
  EXPECT_EQ(find_violation(flat, "daemon.engines", "per_iter"), nullptr);
}

TEST(Judge, PerIterByTrendOverThinnedCheckpointsIsPerIteration) {
  // daemon.rss is judged by the slope's lower confidence bound: per iteration too.
  const Judgement leaking = judge_long_run(2048, "daemon.rss", "1KiB");
  const Violation* slope = find_violation(leaking, "daemon.rss", "per_iter");
  ASSERT_NE(slope, nullptr);
  EXPECT_DOUBLE_EQ(slope->observed, 2048);
  const Judgement flat = judge_long_run(512, "daemon.rss", "1KiB");
  EXPECT_EQ(find_violation(flat, "daemon.rss", "per_iter"), nullptr);
}

TEST(Judge, ExpectedViolationPasses) {
  const Judgement judgement =
      judge(scenario_with("expect_violations: [daemon.engines.growth]\n"), engine_leak_run());
  EXPECT_TRUE(judgement.evaluation.passed);
  const Violation* growth = find_violation(judgement, "daemon.engines", "growth");
  ASSERT_NE(growth, nullptr);
  EXPECT_TRUE(growth->expected);
  // An expected violation that does not happen fails the clean run instead.
  const Judgement clean =
      judge(scenario_with("expect_violations: [daemon.engines.growth]\n"), flat_run());
  EXPECT_FALSE(clean.evaluation.passed);
  EXPECT_EQ(clean.evaluation.missing_expected, std::vector<std::string>{"daemon.engines.growth"});
}

TEST(Judge, PerIterFromTheCheckpointRows) {
  // The final frame equals the baseline (growth 0) but every checkpoint rises by 8.
  RunRecord record = recorded_run({1, 9, 17, 25, 33, 41, 1}, {7, 7, 7, 7, 7, 7, 7});
  const Judgement judgement =
      judge(scenario_with("budgets:\n  daemon.engines: {per_iter: 2, growth: none}\n"), record);
  EXPECT_EQ(find_violation(judgement, "daemon.engines", "growth"), nullptr);
  const Violation* per_iter = find_violation(judgement, "daemon.engines", "per_iter");
  ASSERT_NE(per_iter, nullptr);
  EXPECT_EQ(per_iter->observed, 8);
  EXPECT_EQ(per_iter->message,
            "daemon.engines per_iter +8/iter (99.8% CI +8..+8, p=0.014) > 2/iter");
}

TEST(Judge, AKindAbsentAtTheBaselineCountsFromZero) {
  RunRecord record = flat_run();
  record.final->emplace("daemon.sessions", 3);
  const Judgement judgement = judge(scenario_with(), record);
  EXPECT_EQ(judgement.observations.at("daemon.sessions").baseline, 0);
  const Violation* growth = find_violation(judgement, "daemon.sessions", "growth");
  ASSERT_NE(growth, nullptr);
  EXPECT_EQ(growth->observed, 3);
}

TEST(Judge, AttributionNamesTheCreationSiteFromTheLiveDump) {
  RunRecord record = engine_leak_run();
  // The daemon's live objects as live_objects_json writes them: two stacks that share the
  // project frames (one site), one other site with fewer objects, and another kind.
  record.daemon_live_objects = nlohmann::json::parse(R"json({"kinds": [
      {"kind": "sessions", "groups": [{"count": 5, "frames": ["tracker::Session::open() (s.cpp:1)"]}]},
      {"kind": "engines", "groups": [
        {"count": 30, "frames": [
          "leakgate::Accounted::Accounted(leakgate::ResourceKind&) (harness/include/leakgate/accounted.h:14)",
          "tracker::Engine::Engine(std::filesystem::path) (tracker/src/storage/engine.cpp:82)",
          "tracker::SyncLoop::tick() (tracker/src/daemon/sync_loop.cpp:57)",
          "tracker::SyncLoop::run() (tracker/src/daemon/sync_loop.cpp:40)",
          "std::thread::_State_impl::_M_run() (/usr/include/c++/12/bits/std_thread.h:211)"]},
        {"count": 2, "frames": ["tracker::open_engine() (tracker/src/storage/engine.cpp:120)"]},
        {"count": 8, "frames": [
          "tracker::Engine::Engine(std::filesystem::path) (tracker/src/storage/engine.cpp:82)",
          "tracker::SyncLoop::tick() (tracker/src/daemon/sync_loop.cpp:57)",
          "tracker::SyncLoop::run() (tracker/src/daemon/sync_loop.cpp:40)",
          "start_thread (pthread_create.c:442)"]}]}]})json");
  const Judgement judgement = judge(scenario_with(), record);
  ASSERT_EQ(judgement.attribution_lines.size(), 2u) << lines_of(judgement);
  EXPECT_EQ(judgement.attribution_lines[0],
            "38 live daemon.engines created at tracker::SyncLoop::tick "
            "(tracker/src/daemon/sync_loop.cpp:57) <- tracker::SyncLoop::run "
            "(tracker/src/daemon/sync_loop.cpp:40)");
  EXPECT_EQ(judgement.attribution_lines[1],
            "2 live daemon.engines created at tracker::open_engine "
            "(tracker/src/storage/engine.cpp:120)");
  ASSERT_TRUE(judgement.objects.contains("daemon.engines"));
  EXPECT_EQ(judgement.objects["daemon.engines"].size(), 3u);    // every group, with its frames
  EXPECT_FALSE(judgement.objects.contains("daemon.sessions"));  // not violated
}

// Five sites: three named, then how many more; a stripped program's sites (no function name)
// get one line on how to get names.
TEST(Judge, AttributionSaysHowManyMoreSitesAndHowToNameAStrippedProgram) {
  RunRecord record = engine_leak_run();
  record.daemon_live_objects = nlohmann::json::parse(R"json({"kinds": [
      {"kind": "engines", "groups": [
        {"count": 20, "frames": ["?? (/usr/bin/memcached+0xd26f)"]},
        {"count": 9, "frames": ["?? (/usr/bin/memcached+0xa000)"]},
        {"count": 5, "frames": ["tracker::a() (a.cpp:1)"]},
        {"count": 3, "frames": ["tracker::b() (b.cpp:2)"]},
        {"count": 1, "frames": ["tracker::c() (c.cpp:3)"]}]}]})json");
  const Judgement judgement = judge(scenario_with(), record);
  ASSERT_EQ(judgement.attribution_lines.size(), 5u) << lines_of(judgement);
  EXPECT_EQ(judgement.attribution_lines[0],
            "20 live daemon.engines created at ?? (/usr/bin/memcached+0xd26f)");
  EXPECT_EQ(judgement.attribution_lines[3],
            "… and 4 more at 2 other site(s) (the page lists every one)");
  EXPECT_EQ(judgement.attribution_lines[4],
            "no names for /usr/bin/memcached (stripped): install its debug symbols (Debian: "
            "`dpkg -S /usr/bin/memcached` names its package; add that package's -dbgsym from "
            "the debian-debug archive)");
}

TEST(Judge, NoAttributionForABudgetThatHeld) {
  RunRecord record = flat_run();
  record.daemon_live_objects = nlohmann::json::parse(
      R"json({"kinds": [{"kind": "engines", "groups": [{"count": 1, "frames": ["f() (a.cpp:1)"]}]}]})json");
  const Judgement judgement = judge(scenario_with(), record);
  EXPECT_TRUE(judgement.attribution_lines.empty()) << lines_of(judgement);
  EXPECT_TRUE(judgement.objects.empty());
}

TEST(Judge, NewFdsAreListedAndNamedWhenFdsGrew) {
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1}, {7, 8, 9, 9, 10, 10, 10});
  record.baseline_fds = {{3, FdType::kFile, "/work/tracker.db"},
                         {4, FdType::kSocket, "socket:[11]"}};
  record.final_fds = {{3, FdType::kFile, "/work/tracker.db"},
                      {4, FdType::kSocket, "socket:[11]"},
                      {5, FdType::kSocket, "socket:[12]"},
                      {6, FdType::kSocket, "socket:[13]"},
                      {7, FdType::kFile, "/work/tracker.db-wal"}};
  const Judgement judgement = judge(scenario_with(), record);
  const Violation* growth = find_violation(judgement, "daemon.fds", "growth");
  ASSERT_NE(growth, nullptr);
  EXPECT_EQ(growth->observed, 3);
  ASSERT_EQ(judgement.new_fds.size(), 3u);
  EXPECT_EQ(judgement.new_fds[0]["fd"], 5);
  EXPECT_EQ(judgement.new_fds[2]["target"], "/work/tracker.db-wal");
  const auto& lines = judgement.attribution_lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "1 new daemon fd(s): /work/tracker.db-wal"),
            lines.end())
      << lines_of(judgement);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "2 new daemon fd(s): socket fds"), lines.end())
      << lines_of(judgement);
}

// The daemon is its process tree: fds of a worker are named by the worker (issue 24).
TEST(Judge, NewFdsOfAWorkerNameTheWorker) {
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1}, {7, 8, 9, 9, 10, 10, 10});
  record.baseline_fds = {{3, FdType::kSocket, "socket:[11]", 100}};
  record.final_fds = {{3, FdType::kSocket, "socket:[11]", 100},
                      {3, FdType::kSocket, "socket:[11]", 4711},  // same fd, another process
                      {4, FdType::kSocket, "socket:[12]", 4711},
                      {5, FdType::kSocket, "socket:[13]", 4711}};
  record.final_processes = {{100, -1, "nginx: master process", "root", 9, 0, 1},
                            {4711, 100, "nginx: worker process", "worker", 12, 0, 1}};
  const Judgement judgement = judge(scenario_with(), record);
  ASSERT_EQ(judgement.new_fds.size(), 3u);
  EXPECT_EQ(judgement.new_fds[0]["pid"], 4711);
  const auto& lines = judgement.attribution_lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "+3 socket fds in worker 4711 (nginx: worker process)"),
            lines.end())
      << lines_of(judgement);
}

// Zombies stay in their parent's children list: daemon.children names them as zombies.
TEST(Judge, ChildrenGrowthNamesZombiesByParent) {
  RunRecord record = flat_run();
  record.daemon_pid = 50;
  (*record.baseline)["daemon.children"] = 0;
  (*record.final)["daemon.children"] = 3;
  record.final_tree = {{61, 50, "python3", true}, {62, 50, "python3", true},
                       {63, 50, "worker", false}};
  const Judgement judgement = judge(scenario_with(), record);
  ASSERT_NE(find_violation(judgement, "daemon.children", "growth"), nullptr);
  const auto& lines = judgement.attribution_lines;
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "2 zombie(s), exited and never reaped by the daemon (pid 50): pid "
                      "61 (python3), 62 (python3)"),
            lines.end())
      << lines_of(judgement);
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "1 live process(es) in the daemon's tree: pid 63 (worker)"),
            lines.end())
      << lines_of(judgement);
  EXPECT_EQ(judgement.objects["daemon.children"][0]["state"], "zombie");
}

TEST(Judge, NewFdsWithoutAnFdViolationAreListedButNotBlamed) {
  RunRecord record = flat_run();
  record.baseline_fds = {{3, FdType::kSocket, "socket:[1]"}};
  record.final_fds = {{3, FdType::kSocket, "socket:[2]"}};  // same count, another connection
  const Judgement judgement = judge(scenario_with(), record);
  EXPECT_TRUE(judgement.evaluation.passed);
  EXPECT_EQ(judgement.new_fds.size(), 1u);
  EXPECT_TRUE(judgement.attribution_lines.empty()) << lines_of(judgement);
}

TEST(Judge, ExplicitBudgetOnAnUnreadSourceIsNotJudgedAndFails) {
  // The counter file never appeared: no daemon.engines figure at all.
  RunRecord record = recorded_run({1, 1, 1, 1, 1, 1, 1}, {7, 7, 7, 7, 7, 7, 7});
  for (auto* frame : {&*record.baseline, &*record.final}) frame->erase("daemon.engines");
  record.timeline = Timeline();
  record.checkpoints.clear();
  record.daemon_at_exit.reset();
  record.sources = {{"/proc", true, ""}, {"counter file", false, "counter file never appeared"}};

  // The heap figure comes from the counter file too; its default budget is listed, not failed.
  const Judgement defaults_only = judge(scenario_with(), record);
  const NotJudged* by_default = find_not_judged(defaults_only, "daemon.heap", "growth");
  ASSERT_NE(by_default, nullptr);
  EXPECT_EQ(by_default->reason, "counter file never appeared");
  EXPECT_FALSE(by_default->explicit_budget);
  EXPECT_TRUE(defaults_only.evaluation.passed);

  const Judgement judgement =
      judge(scenario_with("budgets:\n  daemon.engines: {peak: 1, growth: 0}\n"), record);
  EXPECT_FALSE(judgement.evaluation.passed);
  EXPECT_TRUE(judgement.evaluation.violations.empty());
  for (const char* key : {"peak", "growth"}) {
    const NotJudged* entry = find_not_judged(judgement, "daemon.engines", key);
    ASSERT_NE(entry, nullptr) << key;
    EXPECT_TRUE(entry->explicit_budget) << key;
    EXPECT_EQ(entry->reason, "counter file never appeared") << key;
  }
}

TEST(Judge, AtExitUnmeasuredWhenTheDaemonNeverRanItsExitPath) {
  RunRecord record = flat_run();
  record.daemon_at_exit.reset();
  record.at_exit_unmeasured = "stopped by SIGTERM without a handler: no exit path ran";
  const Judgement judgement = judge(scenario_with(), record);
  EXPECT_FALSE(judgement.observations.at("daemon.engines").at_exit.has_value());
  const NotJudged* entry = find_not_judged(judgement, "daemon.engines", "at_exit");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->reason, "stopped by SIGTERM without a handler: no exit path ran");
  EXPECT_FALSE(entry->explicit_budget);
  EXPECT_TRUE(judgement.evaluation.passed);

  // The scenario asking for at_exit itself makes the same record fail.
  const Judgement asked =
      judge(scenario_with("budgets:\n  daemon.engines: {at_exit: 0}\n"), record);
  EXPECT_FALSE(asked.evaluation.passed);
  ASSERT_NE(find_not_judged(asked, "daemon.engines", "at_exit"), nullptr);
  EXPECT_TRUE(find_not_judged(asked, "daemon.engines", "at_exit")->explicit_budget);
}

TEST(Judge, AtExitCountersAreJudgedWhenTheDaemonExited) {
  RunRecord record = flat_run();
  record.daemon_at_exit->kinds[0].live = 3;  // three engines outlived the shutdown
  const Judgement judgement = judge(scenario_with(), record);
  const Violation* at_exit = find_violation(judgement, "daemon.engines", "at_exit");
  ASSERT_NE(at_exit, nullptr);
  EXPECT_EQ(at_exit->message, "daemon.engines at_exit 3 > 0");
  EXPECT_FALSE(judgement.evaluation.passed);
}

TEST(Judge, EscapedProcessesAreDaemonOrphans) {
  RunRecord record = flat_run();
  record.descendants_checked = true;
  record.escaped = {{4242, "sleep 1000"}, {4243, "/usr/bin/helper --detach"}};
  const Judgement judgement = judge(scenario_with(), record);
  EXPECT_FALSE(judgement.evaluation.passed);
  const Violation* orphans = find_violation(judgement, "daemon.orphans", "at_exit");
  ASSERT_NE(orphans, nullptr);
  EXPECT_EQ(orphans->observed, 2);
  ASSERT_TRUE(judgement.objects.contains("daemon.orphans"));
  EXPECT_EQ(judgement.objects["daemon.orphans"][1]["pid"], 4243);
  EXPECT_EQ(judgement.objects["daemon.orphans"][1]["command_line"], "/usr/bin/helper --detach");
  const auto& lines = judgement.attribution_lines;
  ASSERT_EQ(lines.size(), 2u) << lines_of(judgement);
  EXPECT_EQ(lines[0], "left running after the daemon stopped (then killed): pid 4242 sleep 1000");
}

TEST(Judge, NoEscapedProcessesIsZeroOrphans) {
  RunRecord record = flat_run();
  record.descendants_checked = true;
  const Judgement judgement = judge(scenario_with(), record);
  EXPECT_TRUE(judgement.evaluation.passed);
  EXPECT_EQ(judgement.observations.at("daemon.orphans").at_exit, 0);
}

TEST(Judge, ManyOrphansAreSummarisedAfterFive) {
  RunRecord record = flat_run();
  record.descendants_checked = true;
  for (pid_t pid = 100; pid < 108; ++pid) record.escaped.push_back({pid, "sleep 60"});
  const Judgement judgement = judge(scenario_with(), record);
  ASSERT_EQ(judgement.attribution_lines.size(), 6u) << lines_of(judgement);
  EXPECT_EQ(judgement.attribution_lines.back(), "... and 3 more (result.json attribution.objects)");
  EXPECT_EQ(judgement.objects["daemon.orphans"].size(), 8u);
}

}  // namespace
}  // namespace leakgate
