// Turns a RunRecord into figures per metric, judges them against the budgets, prints the
// verdict and writes result.json (docs/result-schema.md) through the reports layer.
#pragma once

#include <filesystem>

#include "judge/run_record.h"
#include "leakgate/runner.h"

namespace leakgate {

RunOutcome write_result(const Scenario& scenario, const RunOptions& options,
                        const RunRecord& record, const std::filesystem::path& workdir);

}  // namespace leakgate
