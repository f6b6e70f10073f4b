// Per-iteration units after thinning (issue 27): past Checkpoints::kMaxKept iterations only
// every n-th checkpoint is kept, so a slope over them is per n iterations. Step attribution's
// headline figure and a known leak's observed figure must still be per iteration.
#include <gtest/gtest.h>

#include "judge/judgement.h"
#include "leakgate/scenario_parser.h"

namespace leakgate {
namespace {

constexpr int kIterations = 5000;  // past 4096: every 4th checkpoint kept

// daemon.fds grows by one in step 2 of each of kIterations iterations.
RunRecord long_fd_leak() {
  RunRecord record;
  record.test = "leak.thinned";
  record.iterations = record.completed_iterations = kIterations;
  record.sources = {{"/proc", true, ""}};
  record.today = "2026-12-05";
  record.begin_phase("measured", 1.0);
  double fds = 10;
  record.baseline = Frame{{"daemon.fds", fds}};
  record.timeline.append(1.0, *record.baseline);
  record.step_growth = StepGrowth({"http GET /health", "http GET /work"});
  for (int i = 1; i <= kIterations; ++i) {
    record.step_growth.add(0, {{"daemon.fds", fds}}, {{"daemon.fds", fds}});
    record.step_growth.add(1, {{"daemon.fds", fds}}, {{"daemon.fds", fds + 1}});
    fds += 1;
    const Frame checkpoint{{"daemon.fds", fds}};
    record.timeline.append(1.0 + i * 0.01, checkpoint);
    record.checkpoints.add(i, 1.0 + i * 0.01, checkpoint);
  }
  record.final = Frame{{"daemon.fds", fds}};
  return record;
}

Scenario two_steps(const std::string& extra = "") {
  return parse_scenario_text(
      "name: thinned\ndaemon: {command: [/bin/true]}\nsteps:\n"
      "  - http: {method: GET, path: /health}\n  - http: {method: GET, path: /work}\n" + extra,
      "thinned.yaml");
}

TEST(ThinnedCheckpoints, TheRecordIsThinned) {
  const RunRecord record = long_fd_leak();
  EXPECT_GT(record.checkpoints.every(), 1);  // else this file proves nothing
}

TEST(ThinnedCheckpoints, StepAttributionIsPerIteration) {
  const Judgement judgement = judge(two_steps(), long_fd_leak());
  ASSERT_EQ(judgement.step_attributions.size(), 1u);
  EXPECT_NEAR(judgement.step_attributions[0].per_iter, 1.0, 1e-9);
  bool named = false;
  for (const auto& line : judgement.attribution_lines)
    named |= line == "daemon.fds +1.0 per iteration, all of it in step 2 (http GET /work)";
  EXPECT_TRUE(named);
}

TEST(ThinnedCheckpoints, AKnownLeakIsMeasuredPerIteration) {
  const Judgement judgement = judge(
      two_steps("known_leaks:\n  - {metric: daemon.fds, site: \"step 2\", per_iter: 2, reason: "
                "files kept open, issue: \"https://example.org/issues/7\", expires: 2026-12-31}\n"),
      long_fd_leak());
  ASSERT_EQ(judgement.known_leaks.size(), 1u);
  ASSERT_TRUE(judgement.known_leaks[0].observed_per_iter);
  EXPECT_NEAR(*judgement.known_leaks[0].observed_per_iter, 1.0, 1e-9);
  EXPECT_EQ(judgement.known_leaks[0].state, KnownLeakResult::State::kWithin);
  EXPECT_TRUE(judgement.evaluation.passed);
}

}  // namespace
}  // namespace leakgate
