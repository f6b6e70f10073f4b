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
//   per_iter: "daemon.rss per_iter +72.0 KiB/iter > 64.0 KiB/iter"
//   peak:     "client.sessions peak 3 > 1 (baseline 1, final 1)"
//   at_exit:  "daemon.engines at_exit 1 > 0"
//   regress:  "daemon.rss regress peak 180.0 MiB > 165.0 MiB (history peak 150.0 MiB +10%)"
// `limit` and `observed` as in Violation; history_peak/regress only for regress.
std::string format_violation(std::string_view metric, std::string_view key, double limit,
                             double observed, const MetricObservation& observation,
                             std::optional<double> regress = std::nullopt,
                             std::optional<double> history_peak = std::nullopt);

// "expected violation not observed: daemon.engines.growth".
std::string format_missing_expected(std::string_view expected);

// The console text, each line ending in '\n':
//   "PASS leak.x (12 metrics within budget)", or with expected violations
//   "PASS leak.x (12 metrics judged, 1 expected violation observed)" + the violations;
//   "FAIL leak.x  <first unexpected violation>" then, indented by 5 spaces, the other
//   unexpected violations, the missing expected ones, the attribution lines, and the
//   expected violations that were observed ("expected: ..."); a pass with expected
//   violations lists them, then the attribution lines.
std::string format_verdict(std::string_view test_name, const Evaluation& evaluation,
                           const std::vector<std::string>& attribution_lines = {});

}  // namespace leakgate
