#include "tracker/issue_json.h"

#include <stdexcept>

namespace tracker {

using nlohmann::json;

json to_json(const Issue& issue) {
  return json{{"id", issue.id},
              {"title", issue.title},
              {"body", issue.body},
              {"labels", issue.labels},
              {"priority", issue.priority},
              {"status", to_string(issue.status)},
              {"created_at_ms", issue.created_at_ms},
              {"updated_at_ms", issue.updated_at_ms}};
}

json to_json(const NewIssue& issue) {
  return json{{"title", issue.title},
              {"body", issue.body},
              {"labels", issue.labels},
              {"priority", issue.priority}};
}

json to_json(const IssuePatch& patch) {
  json out = json::object();
  if (patch.title) out["title"] = *patch.title;
  if (patch.body) out["body"] = *patch.body;
  if (patch.labels) out["labels"] = *patch.labels;
  if (patch.priority) out["priority"] = *patch.priority;
  if (patch.status) out["status"] = to_string(*patch.status);
  return out;
}

json to_json(const Stats& stats) {
  return json{{"total", stats.total},
              {"open", stats.open},
              {"closed", stats.closed},
              {"labels", stats.labels},
              {"last_change_ms", stats.last_change_ms},
              {"ticks", stats.ticks},
              {"snapshot_at_ms", stats.snapshot_at_ms}};
}

Issue issue_from_json(const json& in) {
  Issue issue;
  issue.id = in.at("id").get<int64_t>();
  issue.title = in.at("title").get<std::string>();
  issue.body = in.at("body").get<std::string>();
  issue.labels = in.at("labels").get<std::vector<std::string>>();
  issue.priority = in.at("priority").get<int>();
  auto status = parse_status(in.at("status").get<std::string>());
  if (!status) throw std::invalid_argument("issue status is neither open nor closed");
  issue.status = *status;
  issue.created_at_ms = in.at("created_at_ms").get<int64_t>();
  issue.updated_at_ms = in.at("updated_at_ms").get<int64_t>();
  return issue;
}

Stats stats_from_json(const json& in) {
  Stats stats;
  stats.total = in.at("total").get<int64_t>();
  stats.open = in.at("open").get<int64_t>();
  stats.closed = in.at("closed").get<int64_t>();
  stats.labels = in.at("labels").get<std::map<std::string, int64_t>>();
  stats.last_change_ms = in.at("last_change_ms").get<int64_t>();
  stats.ticks = in.at("ticks").get<int64_t>();
  stats.snapshot_at_ms = in.at("snapshot_at_ms").get<int64_t>();
  return stats;
}

}  // namespace tracker
