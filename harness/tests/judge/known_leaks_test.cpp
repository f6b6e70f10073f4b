// Known leaks that expire (issue 19): judge() with Scenario::known_leaks on hand-made runs —
// within its bound a leak passes and is reported, over it or after its expiry it fails, an
// entry that matches nothing warns (stale), and a site matches exactly, never a caller's frame.
#include "judge/known_leaks.h"

#include <gtest/gtest.h>

#include "judge/attribution.h"
#include "judge/judgement.h"
#include "leakgate/scenario_parser.h"

namespace leakgate {
namespace {

// daemon.fds grows by `per_iter` in step 2 of each of 5 iterations.
RunRecord fd_run(double per_iter, const std::string& today = "2026-12-05") {
  RunRecord record;
  record.test = "leak.known";
  record.iterations = record.completed_iterations = 5;
  record.sources = {{"/proc", true, ""}};
  record.today = today;
  record.begin_phase("measured", 1.0);
  record.baseline = Frame{{"daemon.fds", 10}};
  record.timeline.append(1.0, *record.baseline);
  record.step_growth = StepGrowth({"http GET /health", "http GET /work"});
  double fds = 10;
  for (int i = 1; i <= 5; ++i) {
    record.step_growth.add(0, {{"daemon.fds", fds}}, {{"daemon.fds", fds}});
    record.step_growth.add(1, {{"daemon.fds", fds}}, {{"daemon.fds", fds + per_iter}});
    fds += per_iter;
    const Frame checkpoint{{"daemon.fds", fds}};
    record.timeline.append(1.0 + i * 0.1, checkpoint);
    record.checkpoints.add(i, 1.0 + i * 0.1, checkpoint);
  }
  record.final = Frame{{"daemon.fds", fds}};
  return record;
}

Scenario with_known(const std::string& site, const std::string& per_iter = "2",
                    const std::string& expires = "2026-12-31") {
  return parse_scenario_text(
      "name: known\ndaemon: {command: [/bin/true]}\nsteps:\n"
      "  - http: {method: GET, path: /health}\n  - http: {method: GET, path: /work}\n"
      "known_leaks:\n"
      "  - {metric: daemon.fds, site: \"" +
          site + "\", per_iter: " + per_iter +
          ", reason: files kept open, issue: \"https://example.org/issues/7\", expires: " +
          expires + "}\n",
      "known.yaml");
}

TEST(KnownLeaks, WithinItsBoundPassesAndIsReported) {
  for (const std::string site : {"step 2", "http GET /work"}) {
    const Judgement judgement = judge(with_known(site), fd_run(1));
    EXPECT_TRUE(judgement.evaluation.passed) << site;
    ASSERT_EQ(judgement.known_leaks.size(), 1u);
    EXPECT_EQ(judgement.known_leaks[0].state, KnownLeakResult::State::kWithin);
    EXPECT_EQ(judgement.known_leaks[0].line,
              "known leak daemon.fds at " + site +
                  " +1/iter <= 2/iter until 2026-12-31: files kept open "
                  "(https://example.org/issues/7)");
    EXPECT_TRUE(judgement.warnings.empty());
  }
}

TEST(KnownLeaks, OverItsBoundFails) {
  const Judgement judgement = judge(with_known("step 2", "0.5"), fd_run(1));
  EXPECT_FALSE(judgement.evaluation.passed);
  EXPECT_EQ(judgement.known_leaks[0].state, KnownLeakResult::State::kOverBound);
  EXPECT_NE(judgement.known_leaks[0].line.find("is over its bound: +1/iter > 0.5/iter"),
            std::string::npos);
}

TEST(KnownLeaks, AfterItsExpiryFails) {
  const Judgement on_the_day = judge(with_known("step 2", "2", "2026-12-05"), fd_run(1));
  EXPECT_TRUE(on_the_day.evaluation.passed);
  const Judgement judgement = judge(with_known("step 2", "2", "2026-12-04"), fd_run(1));
  EXPECT_FALSE(judgement.evaluation.passed);
  EXPECT_EQ(judgement.known_leaks[0].state, KnownLeakResult::State::kExpired);
  EXPECT_EQ(judgement.known_leaks[0].line,
            "known leak daemon.fds at step 2 expired on 2026-12-04: files kept open "
            "(https://example.org/issues/7); fix the leak or renew the entry (known.yaml:7:5)");
}

TEST(KnownLeaks, MatchingNothingWarnsStale) {
  const Judgement clean = judge(with_known("step 2"), fd_run(0));
  EXPECT_TRUE(clean.evaluation.passed);
  EXPECT_EQ(clean.known_leaks[0].state, KnownLeakResult::State::kStale);
  ASSERT_EQ(clean.warnings.size(), 1u);
  EXPECT_NE(clean.warnings[0].find("matched nothing in this run (stale)"), std::string::npos);
  // Another step than the one the growth is attributed to: stale, and the leak fails.
  const Judgement elsewhere = judge(with_known("step 1"), fd_run(1));
  EXPECT_FALSE(elsewhere.evaluation.passed);
  EXPECT_EQ(elsewhere.known_leaks[0].state, KnownLeakResult::State::kStale);
}

TEST(KnownLeaks, ASubMetricIsCovered) {
  RunRecord record = fd_run(1);
  record.baseline->emplace("daemon.fds.file", 3);
  record.final->emplace("daemon.fds.file", 8);
  const Judgement judgement = judge(with_known("step 2"), record);
  EXPECT_TRUE(judgement.evaluation.passed);
}

TEST(KnownLeaks, CreationSitesMatchExactly) {
  const std::string site =
      "tracker::SyncLoop::tick (tracker/src/daemon/sync_loop.cpp:83) <- tracker::Daemon::run "
      "(tracker/src/daemon/daemon.cpp:40)";
  EXPECT_TRUE(site_matches(site, "tracker::SyncLoop::tick"));
  EXPECT_TRUE(site_matches(site, "tracker/src/daemon/sync_loop.cpp:83"));
  EXPECT_TRUE(site_matches(site, "tracker::SyncLoop::tick (tracker/src/daemon/sync_loop.cpp:83)"));
  EXPECT_FALSE(site_matches(site, "tracker::Daemon::run"));  // a caller: never
  EXPECT_FALSE(site_matches(site, "tracker/src/daemon/sync_loop.cpp:84"));
  EXPECT_FALSE(site_matches(site, "tracker::SyncLoop"));
  EXPECT_FALSE(site_matches(site, ""));

  Evaluation evaluation;
  evaluation.violations.push_back(Violation{"daemon.engines", "growth", 0, 5, false, "grew"});
  evaluation.passed = false;
  Figures figures;
  figures["daemon.engines"].growth = 5;
  LeakSites sites;
  sites.objects["daemon.engines"] = nlohmann::json::array({{{"site", site}, {"count", 5}}});
  KnownLeak leak{"daemon.engines", "tracker::Daemon::run", 1, "r", "i", "2027-01-01", {}};
  Evaluation caller = evaluation;
  auto results = apply_known_leaks({leak}, caller, figures, sites, "2026-12-05", 5);
  EXPECT_EQ(results[0].state, KnownLeakResult::State::kStale);
  EXPECT_FALSE(caller.passed);
  leak.site = "tracker/src/daemon/sync_loop.cpp:83";
  results = apply_known_leaks({leak}, evaluation, figures, sites, "2026-12-05", 5);
  EXPECT_EQ(results[0].state, KnownLeakResult::State::kWithin);
  EXPECT_EQ(results[0].matched,
            "tracker::SyncLoop::tick (tracker/src/daemon/sync_loop.cpp:83) <- "
            "tracker::Daemon::run (tracker/src/daemon/daemon.cpp:40)");
  EXPECT_TRUE(evaluation.passed);
  EXPECT_TRUE(evaluation.violations.empty());
}

// result.json's "state" of each (record/result_writer.cpp): docs/result-schema.md names them.
TEST(KnownLeaks, StateNames) {
  EXPECT_STREQ(to_string(KnownLeakResult::State::kWithin), "within");
  EXPECT_STREQ(to_string(KnownLeakResult::State::kOverBound), "over-bound");
  EXPECT_STREQ(to_string(KnownLeakResult::State::kExpired), "expired");
  EXPECT_STREQ(to_string(KnownLeakResult::State::kStale), "stale");
}

}  // namespace
}  // namespace leakgate
