// `per_iter: auto` (kBudgetAuto) and `regress:` read the history database: the calibrated
// noise bound `leakgate calibrate` stored, and the baseline peak of earlier runs. Resolved
// once, before the run (the measured loop's auto-stop and the judge both use the result).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "judge/run_calibration.h"
#include "leakgate/run_options.h"
#include "leakgate/scenario.h"

namespace leakgate {

// Replaces each per_iter kBudgetAuto in `budgets` by the latest calibration of `test` and
// that metric in the history database of `report_dir` (reports::history_path_for(), then
// reports::calibrated_per_iter()). Entries with no
// calibration stay kBudgetAuto: evaluate() lists them as not judged, and the test fails.
void resolve_auto_budgets(std::map<std::string, Budget>& budgets,
                          const std::filesystem::path& report_dir, const std::string& test);

// The scenario's budgets resolved as above, and the baseline peak of each metric with a
// regress: key: the local history's, else one from options.baseline_results (--baseline).
RunCalibration load_calibration(const Scenario& scenario, const std::string& test,
                                const RunOptions& options);

}  // namespace leakgate
