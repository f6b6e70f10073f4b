// result.json's "floors": the confirmation windows the baseline and final figures come from
// (sample/floor_window.h), with what came and went in them.
#pragma once

#include <nlohmann/json.hpp>

#include "judge/run_record.h"

namespace leakgate {

nlohmann::json floors_json(const RunRecord& record);

}  // namespace leakgate
