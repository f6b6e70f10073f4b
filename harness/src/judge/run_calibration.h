// What a run is judged against besides its scenario, resolved once before the run: the
// calibrated bounds of `per_iter: auto` and the history baselines of `regress:` budgets.
#pragma once

#include <map>
#include <string>

#include "leakgate/budget_eval.h"
#include "leakgate/scenario.h"

namespace leakgate {

struct RunCalibration {
  // The scenario's budgets with each per_iter kBudgetAuto replaced by its latest calibration
  // (left kBudgetAuto without one: evaluate() lists it as not judged, and the test fails).
  std::map<std::string, Budget> budgets;
  HistoryPeaks history_peaks;  // metric -> baseline peak, for the scenario's regress: keys
};

}  // namespace leakgate
