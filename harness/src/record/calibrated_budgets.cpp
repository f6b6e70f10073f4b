#include "record/calibrated_budgets.h"

#include "leakgate/reports/history.h"

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

}  // namespace leakgate
