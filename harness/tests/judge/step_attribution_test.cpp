// Which step leaks (issue 19): per-step sums of the cheap figures, their attribution and its
// verdict line, and judge() naming the step of a violated metric (and none on a clean run).
#include "judge/step_attribution.h"

#include <gtest/gtest.h>

#include "judge/judgement.h"
#include "leakgate/scenario_parser.h"

namespace leakgate {
namespace {

const std::vector<std::string> kNames = {"http GET /health", "http GET /work"};

// `iterations` iterations of two steps; step i changes daemon.fds by per_step[i] each time.
StepGrowth growth_of(const std::vector<double>& per_step, int iterations) {
  StepGrowth growth(kNames);
  double fds = 10;
  for (int i = 0; i < iterations; ++i) {
    for (size_t step = 0; step < per_step.size(); ++step) {
      const Frame before{{"daemon.fds", fds}, {"daemon.threads", 4}};
      fds += per_step[step];
      growth.add(step, before, Frame{{"daemon.fds", fds}, {"daemon.threads", 4}});
    }
  }
  return growth;
}

TEST(StepAttribution, AllOfItInTheLeakingStep) {
  const auto attribution = attribute_to_steps(growth_of({0, 1}, 20), "daemon.fds");
  ASSERT_TRUE(attribution);
  EXPECT_DOUBLE_EQ(attribution->per_iter, 1.0);
  EXPECT_EQ(attribution->shares.front().step, 1u);
  EXPECT_DOUBLE_EQ(attribution->shares.front().share, 1.0);
  EXPECT_EQ(format_step_attribution(*attribution, kNames),
            "daemon.fds +1.0 per iteration, all of it in step 2 (http GET /work)");
}

TEST(StepAttribution, SharesInPercent) {
  StepGrowth growth = growth_of({0, 1}, 24);
  // One iteration in which the first step's connection was still open at its sample.
  growth.add(0, Frame{{"daemon.fds", 0}}, Frame{{"daemon.fds", 1}});
  const auto attribution = attribute_to_steps(growth, "daemon.fds");
  ASSERT_TRUE(attribution);
  EXPECT_EQ(format_step_attribution(*attribution, kNames),
            "daemon.fds +1.0 per iteration, 96% in step 2 (http GET /work), 4% in step 1 "
            "(http GET /health)");
}

TEST(StepAttribution, NoStepIsBlamedWithoutGrowth) {
  EXPECT_FALSE(attribute_to_steps(growth_of({1, -1}, 20), "daemon.fds"));  // opened, closed
  EXPECT_FALSE(attribute_to_steps(growth_of({0, 1}, 20), "daemon.threads"));
  EXPECT_FALSE(attribute_to_steps(growth_of({0, 1}, 20), "daemon.engines"));  // never read
  EXPECT_FALSE(attribute_to_steps(StepGrowth(kNames), "daemon.fds"));
  EXPECT_TRUE(StepGrowth(kNames).empty());
}

// prepare() makes the entries before the baseline; until a step adds to them they are no data.
TEST(StepAttribution, PreparedEntriesAreNoDataUntilAdded) {
  StepGrowth growth(kNames);
  growth.prepare(Frame{{"daemon.fds", 10}, {"daemon.threads", 4}});
  EXPECT_TRUE(growth.empty());
  EXPECT_FALSE(attribute_to_steps(growth, "daemon.fds"));
  growth.add(1, Frame{{"daemon.fds", 10}}, Frame{{"daemon.fds", 11}});
  EXPECT_FALSE(growth.empty());
  const auto attribution = attribute_to_steps(growth, "daemon.fds");
  ASSERT_TRUE(attribution);
  ASSERT_EQ(attribution->shares.size(), 1u);
  EXPECT_EQ(attribution->shares[0].step, 1u);
}

TEST(StepAttribution, FiguresMissingOnEitherSideAreSkipped) {
  StepGrowth growth(kNames);
  growth.add(1, Frame{}, Frame{{"daemon.fds", 5}});
  growth.add(7, Frame{{"daemon.fds", 1}}, Frame{{"daemon.fds", 5}});  // no such step
  EXPECT_TRUE(growth.empty());
}

// judge(): a run whose daemon.fds grew one per iteration, all of it in step 2.
RunRecord fd_leak_run(const std::vector<double>& per_step) {
  RunRecord record;
  record.test = "leak.steps";
  record.iterations = record.completed_iterations = 5;
  record.sources = {{"/proc", true, ""}};
  record.begin_phase("measured", 1.0);
  double fds = 10;
  record.baseline = Frame{{"daemon.fds", fds}};
  record.timeline.append(1.0, *record.baseline);
  for (int i = 1; i <= 5; ++i) {
    for (double change : per_step) fds += change;
    const Frame checkpoint{{"daemon.fds", fds}};
    record.timeline.append(1.0 + i * 0.1, checkpoint);
    record.checkpoints.add(i, 1.0 + i * 0.1, checkpoint);
  }
  record.final = Frame{{"daemon.fds", fds}};
  record.step_growth = growth_of(per_step, 5);
  return record;
}

Scenario two_steps() {
  return parse_scenario_text(
      "name: steps\ndaemon: {command: [/bin/true]}\nsteps:\n"
      "  - http: {method: GET, path: /health}\n  - http: {method: GET, path: /work}\n",
      "steps.yaml");
}

bool has_line(const Judgement& judgement, const std::string& text) {
  for (const auto& line : judgement.attribution_lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

TEST(StepAttribution, TheVerdictNamesTheStepOfAViolatedMetric) {
  const Judgement judgement = judge(two_steps(), fd_leak_run({0, 1}));
  EXPECT_FALSE(judgement.evaluation.passed);
  EXPECT_TRUE(
      has_line(judgement, "daemon.fds +1.0 per iteration, all of it in step 2 (http GET /work)"));
  ASSERT_EQ(judgement.step_attributions.size(), 1u);
}

TEST(StepAttribution, ACleanRunBlamesNoStep) {
  const Judgement judgement = judge(two_steps(), fd_leak_run({1, -1}));
  EXPECT_TRUE(judgement.evaluation.passed);
  EXPECT_TRUE(judgement.step_attributions.empty());
  EXPECT_FALSE(has_line(judgement, "per iteration"));
}

}  // namespace
}  // namespace leakgate
