// JSON wire format of the model (what trackerd sends and the client reads).
#pragma once

#include <nlohmann/json.hpp>

#include "tracker/issue.h"

namespace tracker {

nlohmann::json to_json(const Issue& issue);
nlohmann::json to_json(const NewIssue& issue);
nlohmann::json to_json(const IssuePatch& patch);
nlohmann::json to_json(const Stats& stats);

// Throw nlohmann::json::exception when a field is missing or has the wrong type.
Issue issue_from_json(const nlohmann::json& json);
Stats stats_from_json(const nlohmann::json& json);

}  // namespace tracker
