// Judging one run: figures per metric from the record (baseline, final, peak over the
// measured phase, per-iteration checkpoints, at-exit), evaluated against the budgets, the
// attribution of what was violated (live objects by creation site, new fds) and the verdict.
// Shared by `leakgate run` and the GoogleTest fixture, so both judge alike; record/ only
// writes the judgement down.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "judge/known_leaks.h"
#include "judge/metric_figures.h"
#include "judge/run_calibration.h"
#include "judge/run_record.h"
#include "judge/run_verdict.h"
#include "judge/step_attribution.h"
#include "leakgate/budget_eval.h"

namespace leakgate {

struct Judgement {
  Observations observations;
  Figures figures;  // computed once from `observations`: every reader below uses them
  Evaluation evaluation;
  nlohmann::json objects = nlohmann::json::object();  // metric -> live groups by site
  nlohmann::json new_fds = nlohmann::json::array();   // daemon fds new since the baseline
  std::vector<std::string> attribution_lines;         // for the verdict text
  std::vector<StepAttribution> step_attributions;     // violated metrics' growth by step
  std::vector<KnownLeakResult> known_leaks;           // one per Scenario::known_leaks entry
  std::vector<std::string> warnings;                  // stale known leaks
  RunVerdict verdict;  // pass / fail / error, the exit code and the printed lines
};

Judgement judge(const Scenario& scenario, const RunRecord& record,
                const HistoryPeaks& history_peaks = {});

// The same against the calibration resolved before the run (its budgets replace the
// scenario's, its history peaks judge regress: keys).
Judgement judge(const Scenario& scenario, const RunRecord& record,
                const RunCalibration& calibration);

}  // namespace leakgate
