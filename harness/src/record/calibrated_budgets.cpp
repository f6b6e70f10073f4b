#include "record/calibrated_budgets.h"

#include "leakgate/reports/history.h"
#include "leakgate/reports/results_file.h"

namespace leakgate {

void resolve_auto_budgets(std::map<std::string, Budget>& budgets,
                          const std::filesystem::path& report_dir, const std::string& test) {
  const auto history_database = reports::history_path_for(report_dir);
  for (auto& [metric, budget] : budgets) {
    if (budget.per_iter != kBudgetAuto) continue;
    if (auto bound = reports::calibrated_per_iter(history_database, test, metric))
      budget.per_iter = *bound;
  }
}

RunCalibration load_calibration(const Scenario& scenario, const std::string& test,
                                const RunOptions& options) {
  RunCalibration calibration{scenario.budgets, {}};
  resolve_auto_budgets(calibration.budgets, options.report_dir, test);
  const auto history_database = reports::history_path_for(options.report_dir);
  for (const auto& [metric, budget] : scenario.budgets) {
    if (!budget.regress) continue;
    auto peak = reports::baseline_peak(history_database, test, metric);
    if (!peak) peak = reports::baseline_peak_from_file(options.baseline_results, test, metric);
    if (peak) calibration.history_peaks[metric] = *peak;
  }
  return calibration;
}

}  // namespace leakgate
