// The text of a verdict, in the design's style: one line per violation naming the number,
// the budget and the figures around it, e.g.
//   FAIL leak.sync-loop  daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)
//        40 live engines created at tracker::SyncLoop::tick (tracker/src/daemon/sync_loop.cpp)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/budget_eval.h"

namespace leakgate {

// A figure of `metric` in its unit: "41", "0.8", "64.0 KiB". signed_value adds "+".
std::string format_metric_value(std::string_view metric, double value, bool signed_value = false);

// The message of one violation (Violation::message):
//   growth:   "daemon.engines growth +40 > 0 (baseline 1, final 41, peak 41)"
//   per_iter: "daemon.rss per_iter +72.0 KiB/iter > 64.0 KiB/iter" (without its trend)
//   peak:     "client.sessions peak 3 > 1 (baseline 1, final 1)"
//   at_exit:  "daemon.engines at_exit 1 > 0"
//   regress:  "daemon.rss regress peak 180.0 MiB > 165.0 MiB (history peak 150.0 MiB +10%)"
// `limit` and `observed` as in Violation; history_peak/regress only for regress.
std::string format_violation(std::string_view metric, std::string_view key, double limit,
                             double observed, const MetricObservation& observation,
                             std::optional<double> regress = std::nullopt,
                             std::optional<double> history_peak = std::nullopt);

// How sure a per_iter figure is: "99.8% CI +0.98..+1.02, p<0.001" (the Theil–Sen slope's
// interval at kTrendConfidence and the Mann–Kendall p-value of an upward trend).
std::string format_confidence(std::string_view metric, const Trend& trend);

// The message of a per_iter violation, with its confidence:
//   "daemon.fds per_iter +1/iter (99.8% CI +1..+1, p<0.001) > 0/iter"
// and for a metric judged by trend (per_iter_by_trend(): the lower bound is what exceeded):
//   "daemon.rss per_iter +16.0 KiB/iter (99.8% CI +15.0 KiB..+17.0 KiB, p<0.001) > 8.0
//    KiB/iter (judged by the lower bound)"
std::string format_per_iter_violation(std::string_view metric, double limit, const Trend& trend,
                                      bool by_trend);

// "daemon.engines peak, growth not judged: scrape of /nometrics failed: HTTP 404" for the
// entries of one metric and reason; "default" before "not judged" when none is explicit.
std::string format_not_judged(const std::vector<NotJudged>& entries);

// Where a run's figures came from, for the verdict: the live sources' names, and "name:
// reason" for the ones that delivered nothing.
struct VerdictSources {
  std::vector<std::string> live;      // "/proc", "counter file"
  std::vector<std::string> not_live;  // "prometheus scrape /nometrics: scrape of ... HTTP 404"
};

// "expected violation not observed: daemon.engines.growth".
std::string format_missing_expected(std::string_view expected);

// The console text, each line ending in '\n':
//   "PASS leak.x (12 metrics within budget; sources: /proc, counter file; not judged:
//   daemon.heap (no heap figure: ...))", or with expected violations
//   "PASS leak.x (12 metrics judged, 1 expected violation observed; sources: ...)" + the
//   violations; "FAIL leak.x  <first problem>" then, indented by 5 spaces, the other
//   problems (unexpected violations, explicit budgets not judged, missing expected
//   violations), the attribution lines, and the expected violations that were observed
//   ("expected: ..."); a pass with expected violations lists them, then the attribution
//   lines. Then, indented: sources that delivered nothing, and the default budgets not
//   judged ("not judged: ..."; on the PASS line itself when there is one metric of them).
//   The sources are left out when `sources` is empty.
std::string format_verdict(std::string_view test_name, const Evaluation& evaluation,
                           const std::vector<std::string>& attribution_lines = {},
                           const VerdictSources& sources = {});

}  // namespace leakgate
