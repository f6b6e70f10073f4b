#include "tracker/issue_json.h"

#include <stdexcept>

namespace tracker {

using nlohmann::json;

// Each model's fields named once, for both directions (from_json: at() and get(), so a
// missing field or a wrong type throws nlohmann::json::exception).
void to_json(json& out, Status status) { out = to_string(status); }
void from_json(const json& in, Status& status) {
  const auto parsed = parse_status(in.get<std::string>());
  if (!parsed) throw std::invalid_argument("issue status is neither open nor closed");
  status = *parsed;
}
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Issue, id, title, body, labels, priority, status, created_at_ms,
                                   updated_at_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NewIssue, title, body, labels, priority)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Stats, total, open, closed, labels, last_change_ms, ticks,
                                   snapshot_at_ms)

json to_json(const Issue& issue) { return issue; }
json to_json(const NewIssue& issue) { return issue; }

json to_json(const IssuePatch& patch) {
  json out = json::object();
  if (patch.title) out["title"] = *patch.title;
  if (patch.body) out["body"] = *patch.body;
  if (patch.labels) out["labels"] = *patch.labels;
  if (patch.priority) out["priority"] = *patch.priority;
  if (patch.status) out["status"] = to_string(*patch.status);
  return out;
}

json to_json(const Stats& stats) { return stats; }

Issue issue_from_json(const json& in) { return in.get<Issue>(); }
Stats stats_from_json(const json& in) { return in.get<Stats>(); }

}  // namespace tracker
