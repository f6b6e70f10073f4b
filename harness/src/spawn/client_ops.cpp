#include "spawn/client_ops.h"

#include <stdexcept>

#include "tracker/client.h"

namespace leakgate {
namespace {

std::string arg_or(const std::map<std::string, std::string>& args, const std::string& key,
                   const std::string& fallback = {}) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

std::optional<std::string> optional_arg(const std::map<std::string, std::string>& args,
                                        const std::string& key) {
  auto it = args.find(key);
  if (it == args.end()) return std::nullopt;
  return it->second;
}

int64_t id_arg(const std::map<std::string, std::string>& args) {
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

tracker::ListQuery list_query(const std::map<std::string, std::string>& args) {
  tracker::ListQuery query;
  if (auto status = optional_arg(args, "status")) query.status = tracker::parse_status(*status);
  query.label = optional_arg(args, "label");
  query.text = optional_arg(args, "q");
  if (auto limit = optional_arg(args, "limit")) query.limit = std::stoi(*limit);
  if (auto offset = optional_arg(args, "offset")) query.offset = std::stoi(*offset);
  return query;
}

}  // namespace

ClientSessionPool::ClientSessionPool(bool session_per_call) : session_per_call_(session_per_call) {}
ClientSessionPool::~ClientSessionPool() = default;

void ClientSessionPool::close_all() {
  if (client_) client_->close();
  client_.reset();
}

std::string ClientSessionPool::run(const std::string& endpoint, const std::string& op,
                                   const std::map<std::string, std::string>& args) {
  if (!client_ || endpoint != endpoint_) {
    tracker::ClientOptions options;
    options.endpoint = endpoint;
    options.session_per_call = session_per_call_;
    client_ = std::make_unique<tracker::Client>(options);
    endpoint_ = endpoint;
  }
  tracker::Client& client = *client_;
  if (op == "create_issue") {
    tracker::NewIssue issue;
    issue.title = arg_or(args, "title", "untitled");
    issue.body = arg_or(args, "body");
    issue.labels = split_labels(arg_or(args, "labels"));
    if (auto priority = optional_arg(args, "priority")) issue.priority = std::stoi(*priority);
    return std::to_string(client.create(issue).id);
  }
  if (op == "get_issue") return client.get(id_arg(args)).title;
  if (op == "list_issues") return std::to_string(client.list(list_query(args)).size());
  if (op == "update_issue") {
    tracker::IssuePatch patch;
    patch.title = optional_arg(args, "title");
    patch.body = optional_arg(args, "body");
    if (auto labels = optional_arg(args, "labels")) patch.labels = split_labels(*labels);
    if (auto priority = optional_arg(args, "priority")) patch.priority = std::stoi(*priority);
    if (auto status = optional_arg(args, "status")) patch.status = tracker::parse_status(*status);
    return std::to_string(client.update(id_arg(args), patch).id);
  }
  if (op == "delete_issue") {
    client.remove(id_arg(args));
    return arg_or(args, "id");
  }
  if (op == "stats") return std::to_string(client.stats().total);
  if (op == "health") return client.health().status;
  throw std::invalid_argument("unknown client op '" + op + "'");
}

}  // namespace leakgate
