#include "tracker/client.h"

#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "session.h"
#include "tracker/endpoint.h"
#include "tracker/issue_json.h"

namespace tracker {
namespace {

using nlohmann::json;

Endpoint parse_endpoint(const std::string& text) {
  if (text.empty()) return default_endpoint();
  auto endpoint = Endpoint::parse(text);
  if (!endpoint) {
    throw ClientError(0, "bad endpoint", "",
                      "bad endpoint '" + text + "': expected unix:/path or http://HOST:PORT");
  }
  return *endpoint;
}

// session_per_call's sessions: deliberately never closed, kept reachable (LeakSanitizer stays
// quiet while the count and the sockets stay live). Never destroyed.
void leak_session(std::unique_ptr<Session> session) {
  static auto* mutex = new std::mutex;
  static auto* leaked = new std::vector<Session*>;
  std::lock_guard lock(*mutex);
  leaked->push_back(session.release());
}

std::string describe_error(std::string_view method, const std::string& path, int status,
                           const std::string& message, const std::string& field) {
  std::string text =
      std::string(method) + " " + path + ": " + std::to_string(status) + " " + message;
  if (!field.empty()) text += " (field " + field + ")";
  return text;
}

}  // namespace

ClientError::ClientError(int status, std::string server_message, std::string field,
                         const std::string& what)
    : std::runtime_error(what),
      status_(status),
      server_message_(std::move(server_message)),
      field_(std::move(field)) {}

struct Client::Impl {
  ClientOptions options;
  Endpoint endpoint;
  std::unique_ptr<Session> session;

  // Sends one request; returns the parsed JSON of a 2xx reply (null for an empty body) and
  // throws ClientError for anything else.
  json call(std::string_view method, const std::string& path, const json* body = nullptr,
            const httplib::Params& query = {}) {
    const std::string text = body != nullptr ? body->dump() : std::string();
    std::unique_ptr<Session> per_call;
    Session* target = nullptr;
    if (options.session_per_call) {
      per_call = std::make_unique<Session>(endpoint, options.token, options.timeout);
      target = per_call.get();
    } else {
      if (!session) session = std::make_unique<Session>(endpoint, options.token, options.timeout);
      target = session.get();
    }
    std::optional<HttpReply> reply;
    try {
      reply = target->send(method, path, query, body != nullptr ? &text : nullptr);
    } catch (...) {
      if (per_call) leak_session(std::move(per_call));
      throw;
    }
    if (per_call) leak_session(std::move(per_call));
    return interpret(method, path, *reply);
  }

  static json interpret(std::string_view method, const std::string& path, const HttpReply& reply) {
    json parsed = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (reply.status >= 200 && reply.status < 300) {
      if (reply.body.empty()) return json();
      if (parsed.is_discarded()) {
        throw ClientError(reply.status, "malformed JSON reply", "",
                          std::string(method) + " " + path + ": malformed JSON reply");
      }
      return parsed;
    }
    std::string message = "HTTP " + std::to_string(reply.status);
    std::string field;
    if (parsed.is_object()) {
      message = parsed.value("error", message);
      field = parsed.value("field", "");
    }
    throw ClientError(reply.status, message, field,
                      describe_error(method, path, reply.status, message, field));
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = parse_endpoint(options.endpoint);
  impl_->options = std::move(options);
  impl_->options.endpoint = impl_->endpoint.str();
}

Client::Client(std::string endpoint, std::string token)
    : Client(ClientOptions{.endpoint = std::move(endpoint), .token = std::move(token)}) {}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Issue Client::create(const NewIssue& issue) {
  const json body = to_json(issue);
  return issue_from_json(impl_->call("POST", "/issues", &body));
}

Issue Client::get(int64_t id) {
  return issue_from_json(impl_->call("GET", "/issues/" + std::to_string(id)));
}

std::vector<Issue> Client::list(const ListQuery& query) {
  httplib::Params params;
  if (query.status) params.emplace("status", to_string(*query.status));
  if (query.label) params.emplace("label", *query.label);
  if (query.text) params.emplace("q", *query.text);
  params.emplace("limit", std::to_string(query.limit));
  params.emplace("offset", std::to_string(query.offset));
  const json reply = impl_->call("GET", "/issues", nullptr, params);
  std::vector<Issue> issues;
  for (const json& issue : reply.at("issues")) issues.push_back(issue_from_json(issue));
  return issues;
}

Issue Client::update(int64_t id, const IssuePatch& patch) {
  const json body = to_json(patch);
  return issue_from_json(impl_->call("PATCH", "/issues/" + std::to_string(id), &body));
}

void Client::remove(int64_t id) { impl_->call("DELETE", "/issues/" + std::to_string(id)); }

Stats Client::stats() { return stats_from_json(impl_->call("GET", "/stats")); }

Health Client::health() {
  const json reply = impl_->call("GET", "/health");
  return Health{reply.at("status").get<std::string>(), reply.at("pid").get<int64_t>()};
}

void Client::shutdown() { impl_->call("POST", "/shutdown"); }

void Client::close() noexcept {
  if (impl_) impl_->session.reset();
}

bool Client::has_session() const noexcept { return impl_ && impl_->session != nullptr; }

const std::string& Client::endpoint() const noexcept { return impl_->options.endpoint; }

std::string read_token_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  const auto end = token.find_last_not_of(" \t\r\n");
  token.erase(end == std::string::npos ? 0 : end + 1);
  token.erase(0, token.find_first_not_of(" \t\r\n"));
  if (!in || token.empty()) {
    throw ClientError(0, "cannot read token file", "", "cannot read token file " + path.string());
  }
  return token;
}

}  // namespace tracker
