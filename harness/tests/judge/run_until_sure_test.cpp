// iterations: auto — the pure decision of when every per-iteration trend is decided.
#include "judge/run_until_sure.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

std::vector<double> line(size_t n, double start, double slope) {
  std::vector<double> ys;
  for (size_t i = 0; i < n; ++i) ys.push_back(start + slope * static_cast<double>(i));
  return ys;
}

std::map<std::string, Budget> growth_zero(std::initializer_list<std::string> metrics) {
  std::map<std::string, Budget> budgets;
  for (const auto& metric : metrics) budgets[metric].growth = 0;
  return budgets;
}

TEST(RunUntilSure, AnFdPerIterationIsALeakAtTheFirstDecidingCheckpoint) {
  const auto budgets = growth_zero({"daemon.fds", "daemon.threads"});
  std::map<std::string, std::vector<double>> series = {{"daemon.fds", line(7, 12, 1)},
                                                       {"daemon.threads", line(7, 4, 0)}};
  EXPECT_FALSE(decide_stop(series, budgets).stop);  // 7 < kMinDecidingCheckpoints
  series = {{"daemon.fds", line(8, 12, 1)}, {"daemon.threads", line(8, 4, 0)}};
  const StopDecision decision = decide_stop(series, budgets);
  EXPECT_TRUE(decision.stop);
  ASSERT_EQ(decision.figures.size(), 2u);
  EXPECT_EQ(decision.figures[0].metric, "daemon.fds");
  EXPECT_EQ(decision.figures[0].state, TrendState::State::kLeaks);
  EXPECT_EQ(decision.figures[1].state, TrendState::State::kClean);
  EXPECT_EQ(describe_stop("decided", 8, decision),
            "decided after 8 iterations: daemon.fds leaks (99.8% CI +1..+1, p<0.001, budget "
            "0/iter); daemon.threads clean");
}

TEST(RunUntilSure, OneStrayFdLeavesTheTrendUndecidedUntilMorePointsSettleIt) {
  const auto budgets = growth_zero({"daemon.fds"});
  std::vector<double> fds(8, 10);
  fds[6] = 11;  // a connection open at one checkpoint, late in the run
  const StopDecision early = decide_stop({{"daemon.fds", fds}}, budgets);
  EXPECT_FALSE(early.stop);
  ASSERT_EQ(early.figures.size(), 1u);
  EXPECT_EQ(early.figures[0].state, TrendState::State::kUndecided);
  EXPECT_EQ(
      describe_stop("max_iterations (8)", 8, early)
          .rfind(
              "max_iterations (8) reached after 8 iterations with daemon.fds undecided (99.8% CI",
              0),
      0u)
      << describe_stop("max_iterations (8)", 8, early);
  fds.resize(20, 10);
  EXPECT_TRUE(decide_stop({{"daemon.fds", fds}}, budgets).stop);
}

TEST(RunUntilSure, PerIterBudgetsAreTheLimitAndNoisyFiguresNeverHoldTheRunBack) {
  std::map<std::string, Budget> budgets;
  budgets["daemon.heap"].per_iter = 512;
  budgets["daemon.rss"].per_iter = 64 * 1024;
  // 100 B/iter of heap: clean against 512 B/iter once the upper bound is below it.
  std::vector<double> heap = line(12, 1e6, 100);
  heap[5] += 300;
  // RSS all over the place: not a deciding figure (judged at the end with what there is).
  std::vector<double> rss = {1e6, 3e6, 1e6, 5e6, 2e6, 1e6, 4e6, 1e6, 2e6, 6e6, 1e6, 3e6};
  const StopDecision decision = decide_stop({{"daemon.heap", heap}, {"daemon.rss", rss}}, budgets);
  EXPECT_TRUE(decision.stop);
  ASSERT_EQ(decision.figures.size(), 1u);
  EXPECT_EQ(decision.figures[0].metric, "daemon.heap");
  EXPECT_EQ(decision.figures[0].state, TrendState::State::kClean);
  // 1 KiB/iter of heap against 512 B: a leak.
  EXPECT_EQ(decide_stop({{"daemon.heap", line(8, 1e6, 1024)}}, budgets).figures[0].state,
            TrendState::State::kLeaks);
}

TEST(RunUntilSure, BudgetsOffOrUncalibratedAndUnbudgetedFiguresAreLeftOut) {
  std::map<std::string, Budget> budgets;
  budgets["daemon.fds"].growth = kBudgetOff;         // written none: not a finite limit
  budgets["daemon.engines"].per_iter = kBudgetAuto;  // no calibration: not judged at the end
  budgets["daemon.engines"].growth = 0;
  const std::map<std::string, std::vector<double>> series = {{"daemon.fds", line(8, 1, 1)},
                                                             {"daemon.engines", line(8, 1, 1)},
                                                             {"daemon.children", line(8, 1, 1)}};
  const StopDecision decision = decide_stop(series, budgets);
  EXPECT_TRUE(decision.stop);
  EXPECT_TRUE(decision.figures.empty());
  EXPECT_EQ(describe_stop("decided", 8, decision),
            "decided after 8 iterations: no per-iteration trend to decide");
}

TEST(RunUntilSure, TheCheapIntegerFiguresAndTheExactHeapDecide) {
  for (const char* metric : {"daemon.fds", "daemon.fds.socket", "daemon.threads", "daemon.children",
                             "daemon.engines", "client.sessions", "daemon.heap", "daemon.widgets"})
    EXPECT_TRUE(decides_run_length(metric)) << metric;
  for (const char* metric : {"daemon.rss", "daemon.pss", "client.rss", "daemon.orphans"})
    EXPECT_FALSE(decides_run_length(metric)) << metric;
}

}  // namespace
}  // namespace leakgate
