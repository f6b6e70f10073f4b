// tracker's client operations for leakgate scenarios: `client: {op: create_issue, ...}` runs
// tracker::Client inside the harness, so its sessions are counted on the client side
// (client.sessions). Registered through leakgate/client_operations.h like any project's.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "leakgate/client_operations.h"
#include "tracker/client.h"

namespace tracker::leakgate_ops {
namespace {

using leakgate::ClientArgs;

// The historical client bug (a new session per call, never closed), turned on from a
// scenario's daemon.inject; the daemon never hears of it.
constexpr const char* kSessionPerCall = "session-per-call";

class TrackerSession : public leakgate::ClientSession {
 public:
  TrackerSession(const std::string& endpoint, bool session_per_call)
      : client_(ClientOptions{.endpoint = endpoint, .session_per_call = session_per_call}) {}
  void close_idle() override { client_.close(); }
  Client& client() { return client_; }

 private:
  Client client_;
};

Client& client_of(leakgate::ClientSession& session) {
  return static_cast<TrackerSession&>(session).client();  // open_session made every session
}

std::string arg_or(const ClientArgs& args, const std::string& key,
                   const std::string& fallback = {}) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

std::optional<std::string> optional_arg(const ClientArgs& args, const std::string& key) {
  auto it = args.find(key);
  if (it == args.end()) return std::nullopt;
  return it->second;
}

int64_t id_arg(const ClientArgs& args) {
  const std::string text = arg_or(args, "id");
  try {
    size_t used = 0;
    const int64_t id = std::stoll(text, &used);
    if (used == text.size()) return id;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("client step needs a numeric id, got '" + text + "'");
}

std::vector<std::string> split_labels(const std::string& text) {
  std::vector<std::string> labels;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) labels.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return labels;
}

std::string create_issue(leakgate::ClientSession& session, const ClientArgs& args) {
  NewIssue issue;
  issue.title = arg_or(args, "title", "untitled");
  issue.body = arg_or(args, "body");
  issue.labels = split_labels(arg_or(args, "labels"));
  if (auto priority = optional_arg(args, "priority")) issue.priority = std::stoi(*priority);
  return std::to_string(client_of(session).create(issue).id);
}

std::string get_issue(leakgate::ClientSession& session, const ClientArgs& args) {
  return client_of(session).get(id_arg(args)).title;
}

std::string list_issues(leakgate::ClientSession& session, const ClientArgs& args) {
  ListQuery query;
  if (auto status = optional_arg(args, "status")) query.status = parse_status(*status);
  query.label = optional_arg(args, "label");
  query.text = optional_arg(args, "q");
  if (auto limit = optional_arg(args, "limit")) query.limit = std::stoi(*limit);
  if (auto offset = optional_arg(args, "offset")) query.offset = std::stoi(*offset);
  return std::to_string(client_of(session).list(query).size());
}

std::string update_issue(leakgate::ClientSession& session, const ClientArgs& args) {
  IssuePatch patch;
  patch.title = optional_arg(args, "title");
  patch.body = optional_arg(args, "body");
  if (auto labels = optional_arg(args, "labels")) patch.labels = split_labels(*labels);
  if (auto priority = optional_arg(args, "priority")) patch.priority = std::stoi(*priority);
  if (auto status = optional_arg(args, "status")) patch.status = parse_status(*status);
  return std::to_string(client_of(session).update(id_arg(args), patch).id);
}

std::string delete_issue(leakgate::ClientSession& session, const ClientArgs& args) {
  client_of(session).remove(id_arg(args));
  return arg_or(args, "id");
}

std::string stats(leakgate::ClientSession& session, const ClientArgs&) {
  return std::to_string(client_of(session).stats().total);
}

std::string health(leakgate::ClientSession& session, const ClientArgs&) {
  return client_of(session).health().status;
}

// What each returns for `save:`: the new issue's id (create, update), the title (get), the
// count (list, stats), the id (delete), the status text (health).
leakgate::ClientOperations tracker_operations() {
  leakgate::ClientOperations ops;
  ops.provider = "tracker";
  ops.operations = {
      {"create_issue", {"title", "body", "labels", "priority"}, create_issue},
      {"get_issue", {"id"}, get_issue},
      {"list_issues", {"status", "label", "q", "limit", "offset"}, list_issues},
      {"update_issue", {"id", "title", "body", "labels", "priority", "status"}, update_issue},
      {"delete_issue", {"id"}, delete_issue},
      {"stats", {}, stats},
      {"health", {}, health},
  };
  ops.client_injections = {kSessionPerCall};
  // exec steps that run the tracker CLI find the daemon without --endpoint.
  ops.endpoint_variables = {"TRACKER_ENDPOINT"};
  ops.open_session = [](const std::string& endpoint, const std::vector<std::string>& injections) {
    const bool session_per_call = !injections.empty();  // the only claimed one
    return std::make_unique<TrackerSession>(endpoint, session_per_call);
  };
  return ops;
}

}  // namespace

LEAKGATE_REGISTER_CLIENT_OPERATIONS(tracker_operations);

}  // namespace tracker::leakgate_ops
