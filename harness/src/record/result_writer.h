// Writes a judged run down: result.json (docs/result-schema.md) through the reports layer, the
// daemon's output beside it, and the outcome the caller prints. Decides nothing: the verdict,
// the figures and the exit code are the judgement's (judge/judgement.h).
#pragma once

#include <filesystem>

#include "judge/judgement.h"
#include "judge/run_record.h"
#include "leakgate/run_options.h"

namespace leakgate {

RunOutcome write_result(const Scenario& scenario, const RunOptions& options,
                        const RunRecord& record, const Judgement& judgement,
                        const std::filesystem::path& workdir);

}  // namespace leakgate
