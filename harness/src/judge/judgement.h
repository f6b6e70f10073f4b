// Judging one run: figures per metric from the record (baseline, final, peak over the
// measured phase, per-iteration checkpoints, at-exit), evaluated against the budgets, and
// the attribution of what was violated (live objects by creation site, new fds).
// Shared by `leakgate run` and the GoogleTest fixture, so both judge alike.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "judge/known_leaks.h"
#include "judge/run_record.h"
#include "judge/step_attribution.h"
#include "leakgate/budget_eval.h"

namespace leakgate {

struct Judgement {
  Observations observations;
  Evaluation evaluation;
  nlohmann::json objects = nlohmann::json::object();  // metric -> live groups by site
  nlohmann::json new_fds = nlohmann::json::array();   // daemon fds new since the baseline
  std::vector<std::string> attribution_lines;         // for the verdict text
  std::vector<StepAttribution> step_attributions;     // violated metrics' growth by step
  std::vector<KnownLeakResult> known_leaks;           // one per Scenario::known_leaks entry
  std::vector<std::string> warnings;                  // stale known leaks
};

Judgement judge(const Scenario& scenario, const RunRecord& record,
                const HistoryPeaks& history_peaks = {});

}  // namespace leakgate
