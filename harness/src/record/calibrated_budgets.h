// `per_iter: auto` (kBudgetAuto): the calibrated noise bound from the history database that
// `leakgate calibrate` filled. Resolved before judging and before deciding when to stop.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "leakgate/scenario.h"

namespace leakgate {

// Replaces each per_iter kBudgetAuto in `budgets` by the latest calibration of `test` and
// that metric in the history database of `report_dir` (reports::history_path_for(), then
// reports::calibrated_per_iter()). Entries with no
// calibration stay kBudgetAuto: evaluate() lists them as not judged, and the test fails.
void resolve_auto_budgets(std::map<std::string, Budget>& budgets,
                          const std::filesystem::path& report_dir, const std::string& test);

}  // namespace leakgate
