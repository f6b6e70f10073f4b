#include "leakgate/verdict.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

Violation violation(std::string metric, std::string key, std::string message,
                    bool expected = false) {
  return Violation{std::move(metric), std::move(key), 0, 0, expected, std::move(message)};
}

TEST(Verdict, ValuesInTheMetricsUnit) {
  EXPECT_EQ(format_metric_value("daemon.engines", 41), "41");
  EXPECT_EQ(format_metric_value("daemon.engines", 40, true), "+40");
  EXPECT_EQ(format_metric_value("daemon.fds", 0.8, true), "+0.8");
  EXPECT_EQ(format_metric_value("daemon.fds", 1.0 / 3), "0.33");
  EXPECT_EQ(format_metric_value("daemon.rss", 72 * 1024, true), "+72.0 KiB");
  EXPECT_EQ(format_metric_value("daemon.heap", -2048, true), "-2.0 KiB");
}

TEST(Verdict, ViolationMessagesInTheDesignsStyle) {
  MetricObservation o;
  o.baseline = 1;
  o.final = 41;
  o.peak = 41;
  EXPECT_EQ(format_violation("daemon.engines", "growth", 0, 40, o),
            "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)");
  EXPECT_EQ(format_violation("daemon.rss", "per_iter", 64 * 1024, 72 * 1024, {}),
            "daemon.rss per_iter +72.0 KiB/iter > 64.0 KiB/iter");
  EXPECT_EQ(format_violation("daemon.engines", "at_exit", 0, 1, o), "daemon.engines at_exit 1 > 0");
  MetricObservation rss;
  rss.peak = 700.0 * 1024 * 1024;
  EXPECT_EQ(format_violation("daemon.rss", "peak", 512.0 * 1024 * 1024, *rss.peak, rss),
            "daemon.rss peak 700.0 MiB > 512.0 MiB");
  EXPECT_EQ(format_violation("daemon.rss", "regress", 165.0 * 1024 * 1024, 180.0 * 1024 * 1024, rss,
                             0.1, 150.0 * 1024 * 1024),
            "daemon.rss regress peak 180.0 MiB > 165.0 MiB (history peak 150.0 MiB +10%)");
  EXPECT_EQ(format_missing_expected("daemon.engines.growth"),
            "expected violation not observed: daemon.engines.growth");
}

TEST(Verdict, Pass) {
  Evaluation e;
  e.metrics_judged = 12;
  EXPECT_EQ(format_verdict("leak.issue-crud", e),
            "PASS leak.issue-crud (12 metrics within budget)\n");
  e.violations.push_back(
      violation("daemon.engines", "growth", "daemon.engines growth +40 > 0", true));
  EXPECT_EQ(format_verdict("leak.sync-loop", e),
            "PASS leak.sync-loop (12 metrics judged, 1 expected violation observed)\n"
            "     expected: daemon.engines growth +40 > 0\n");
}

TEST(Verdict, FailWithAttribution) {
  Evaluation e;
  e.passed = false;
  e.violations.push_back(violation(
      "daemon.engines", "growth", "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)"));
  e.violations.push_back(violation("daemon.fds", "growth", "daemon.fds growth +3 > 0", true));
  e.violations.push_back(violation("daemon.rss", "peak", "daemon.rss peak 1.0 GiB > 512.0 MiB"));
  e.missing_expected.push_back("client.sessions.peak");
  EXPECT_EQ(format_verdict("leak.sync-loop", e,
                           {"40 live engines created at tracker::SyncLoop::tick "
                            "(tracker/src/daemon/sync_loop.cpp)"}),
            "FAIL leak.sync-loop  daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)\n"
            "     daemon.rss peak 1.0 GiB > 512.0 MiB\n"
            "     expected violation not observed: client.sessions.peak\n"
            "     40 live engines created at tracker::SyncLoop::tick "
            "(tracker/src/daemon/sync_loop.cpp)\n"
            "     expected: daemon.fds growth +3 > 0\n");
}

TEST(Verdict, FailOnlyBecauseAnExpectedViolationIsMissing) {
  Evaluation e;
  e.passed = false;
  e.missing_expected.push_back("daemon.engines.growth");
  EXPECT_EQ(format_verdict("leak.regress-x", e),
            "FAIL leak.regress-x  expected violation not observed: daemon.engines.growth\n");
}

TEST(Verdict, PassNamesItsSourcesAndWhatItCouldNotJudge) {
  Evaluation e;
  e.metrics_judged = 19;
  const std::string heap_reason =
      "no heap figure: the daemon runs without tcmalloc or the preload library";
  e.not_judged.push_back({"daemon.heap", "growth", heap_reason, false});
  e.not_judged.push_back({"daemon.heap", "per_iter", heap_reason, false});
  const VerdictSources sources{{"/proc", "counter file"}, {}};
  EXPECT_EQ(format_verdict("leak.x", e, {}, sources),
            "PASS leak.x (19 metrics within budget; sources: /proc, counter file; not judged: "
            "daemon.heap (" +
                heap_reason + "))\n");
  // Several metrics: their names on the line, the details below it.
  e.not_judged.push_back({"daemon.engines", "regress", "no history baseline yet", false});
  EXPECT_EQ(format_verdict("leak.x", e, {}, sources),
            "PASS leak.x (19 metrics within budget; sources: /proc, counter file; not judged: "
            "daemon.heap, daemon.engines)\n"
            "     default budget daemon.heap growth, per_iter not judged: " +
                heap_reason +
                "\n"
                "     default budget daemon.engines regress not judged: no history baseline yet\n");
}

TEST(Verdict, AnExplicitBudgetNotJudgedFails) {
  Evaluation e;
  e.passed = false;
  const std::string reason = "scrape of /nometrics failed: HTTP 404";
  e.not_judged.push_back({"daemon.engines", "peak", reason, true});
  e.not_judged.push_back({"daemon.engines", "growth", reason, true});
  e.not_judged.push_back({"daemon.heap", "growth", reason, false});
  const VerdictSources sources{{"/proc"}, {"prometheus scrape /nometrics (" + reason + ")"}};
  EXPECT_EQ(format_verdict("leak.x", e, {}, sources),
            "FAIL leak.x  daemon.engines peak, growth not judged: " + reason + "\n" +
                "     sources: /proc\n"
                "     no figures from prometheus scrape /nometrics (" +
                reason +
                ")\n"
                "     default budget daemon.heap growth not judged: " +
                reason + "\n");
}

TEST(Verdict, TrendViolationSaysHowSure) {
  Trend t;
  t.slope = 16 * 1024;
  t.slope_lower = 15 * 1024;
  t.slope_upper = 17 * 1024;
  t.p_value = 1.5e-12;
  EXPECT_EQ(format_per_iter_violation("daemon.rss", 8 * 1024, t, true),
            "daemon.rss per_iter +16.0 KiB/iter (99.8% CI +15.0 KiB..+17.0 KiB, p<0.001) > 8.0 "
            "KiB/iter (judged by the lower bound)");
}

TEST(Verdict, EveryPerIterViolationStatesItsConfidence) {
  Trend t;
  t.slope = 1;
  t.slope_lower = 0.98;
  t.slope_upper = 1.02;
  t.p_value = 0.03;
  EXPECT_EQ(format_per_iter_violation("daemon.fds", 0.1, t, false),
            "daemon.fds per_iter +1/iter (99.8% CI +0.98..+1.02, p=0.03) > 0.1/iter");
}

}  // namespace
}  // namespace leakgate
