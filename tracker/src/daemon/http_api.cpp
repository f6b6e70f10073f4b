#include "http_api.h"

#include <unistd.h>

#include <cstdio>

#include "leakgate/process_probe.h"
#include "leakgate/prometheus.h"
#include "leakgate/registry.h"
#include "request_framing.h"
#include "request_validation.h"
#include "shutdown_latch.h"
#include "storage/engine.h"
#include "sync_loop.h"
#include "tracker/issue_json.h"

namespace tracker {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr const char* kJson = "application/json";

void send_json(Response& res, int status, const json& body) {
  res.status = status;
  // replace: a stray invalid byte must never turn a response into an exception
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
}

void send_error(Response& res, int status, const std::string& message,
                const std::string& field = {}) {
  json body{{"error", message}};
  if (!field.empty()) body["field"] = field;
  send_json(res, status, body);
}

void send_invalid(Response& res, const ValidationError& error) {
  send_error(res, 400, error.message, error.field);
}

const char* default_message(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "missing or wrong bearer token";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request body too large (limit 1 MiB)";
    case 414:
      return "request URI too long";
    default:
      return status >= 500 ? "internal error" : "request failed";
  }
}

// Constant time in the token's length: the comparison must not leak a matching prefix.
bool same_token(const std::string& given, const std::string& expected) {
  if (given.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < given.size(); ++i) difference |= given[i] ^ expected[i];
  return difference == 0;
}

// Parses the body and validates it with `validate`; on failure answers 400 and returns nullopt.
template <class T>
std::optional<T> validated_body(const Request& req, Response& res,
                                Validated<T> (*validate)(const json&)) {
  auto parsed = parse_json_body(req.body);
  if (auto* error = std::get_if<ValidationError>(&parsed)) {
    send_invalid(res, *error);
    return std::nullopt;
  }
  auto result = validate(std::get<json>(parsed));
  if (auto* error = std::get_if<ValidationError>(&result)) {
    send_invalid(res, *error);
    return std::nullopt;
  }
  return std::move(std::get<T>(result));
}

std::optional<int64_t> issue_id(const Request& req, Response& res) {
  auto id = parse_issue_id(req.matches[1].str());
  if (!id) send_error(res, 404, "no such issue");
  return id;
}

std::string metrics_text(const SyncLoop& sync_loop) {
  std::optional<leakgate::ProcessSample> sample;
  try {
    sample = leakgate::ProcessProbe(::getpid()).sample();
  } catch (const leakgate::ProbeError&) {
    // /proc unreadable: the registry's counters are still worth serving
  }
  std::string text = leakgate::render_prometheus(sample ? &*sample : nullptr);
  text += "# HELP tracker_sync_ticks_total Sync loop iterations.\n";
  text += "# TYPE tracker_sync_ticks_total counter\n";
  text += "tracker_sync_ticks_total " + std::to_string(sync_loop.latest().ticks) + "\n";
  return text;
}

void install_issue_routes(httplib::Server& server, const ApiContext& context) {
  Engine& engine = context.engine;
  server.Post("/issues", [&engine](const Request& req, Response& res) {
    auto issue = validated_body(req, res, validate_new_issue);
    if (!issue) return;
    const Issue created = engine.create(*issue);  // returns after COMMIT
    res.set_header("Location", "/issues/" + std::to_string(created.id));
    send_json(res, 201, to_json(created));
  });
  server.Get("/issues", [&engine](const Request& req, Response& res) {
    auto query = validate_list_query(req.params);
    if (auto* error = std::get_if<ValidationError>(&query)) return send_invalid(res, *error);
    const auto& list_query = std::get<ListQuery>(query);
    json issues = json::array();
    for (const Issue& issue : engine.list(list_query)) issues.push_back(to_json(issue));
    send_json(res, 200,
              {{"issues", issues}, {"limit", list_query.limit}, {"offset", list_query.offset}});
  });
  server.Get(R"(/issues/([^/]+))", [&engine](const Request& req, Response& res) {
    auto id = issue_id(req, res);
    if (!id) return;
    if (auto issue = engine.get(*id)) return send_json(res, 200, to_json(*issue));
    send_error(res, 404, "no such issue");
  });
  server.Patch(R"(/issues/([^/]+))", [&engine](const Request& req, Response& res) {
    auto id = issue_id(req, res);
    if (!id) return;
    auto patch = validated_body(req, res, validate_issue_patch);
    if (!patch) return;
    if (auto issue = engine.update(*id, *patch)) return send_json(res, 200, to_json(*issue));
    send_error(res, 404, "no such issue");
  });
  server.Delete(R"(/issues/([^/]+))", [&engine](const Request& req, Response& res) {
    auto id = issue_id(req, res);
    if (!id) return;
    if (engine.remove(*id)) {
      res.status = 204;
      return;
    }
    send_error(res, 404, "no such issue");
  });
}

void install_service_routes(httplib::Server& server, const ApiContext& context) {
  server.Get("/health", [](const Request&, Response& res) {
    send_json(res, 200, {{"status", "ok"}, {"pid", ::getpid()}});
  });
  server.Get("/stats", [&context](const Request&, Response& res) {
    send_json(res, 200, to_json(context.sync_loop.latest()));
  });
  server.Get("/metrics", [&context](const Request&, Response& res) {
    res.set_content(metrics_text(context.sync_loop), "text/plain; version=0.0.4");
  });
  server.Get("/debug/resources", [](const Request&, Response& res) {
    res.set_content(leakgate::Registry::global().live_objects_json(), kJson);
  });
  server.Post("/shutdown", [&context](const Request&, Response& res) {
    send_json(res, 202, {{"status", "shutting down"}});
    context.shutdown.request("POST /shutdown");  // main stops the server after this response
  });
}

// Known paths answer 405 (with Allow) for the methods they do not serve, not 404.
void install_method_not_allowed(httplib::Server& server) {
  struct Route {
    const char* pattern;
    std::string_view allowed;
  };
  constexpr Route kRoutes[] = {
      {"/issues", "GET, POST"}, {R"(/issues/([^/]+))", "GET, PATCH, DELETE"},
      {"/health", "GET"},       {"/stats", "GET"},
      {"/metrics", "GET"},      {"/debug/resources", "GET"},
      {"/shutdown", "POST"},
  };
  for (const Route& route : kRoutes) {
    const std::string allowed(route.allowed);
    const auto not_allowed = [allowed](const Request&, Response& res) {
      res.set_header("Allow", allowed);
      send_error(res, 405, default_message(405));
    };
    const auto serves = [&route](std::string_view method) {
      return route.allowed.find(method) != std::string_view::npos;
    };
    if (!serves("GET")) server.Get(route.pattern, not_allowed);
    if (!serves("POST")) server.Post(route.pattern, not_allowed);
    if (!serves("PATCH")) server.Patch(route.pattern, not_allowed);
    if (!serves("DELETE")) server.Delete(route.pattern, not_allowed);
    server.Put(route.pattern, not_allowed);
  }
}

}  // namespace

void install_api(httplib::Server& server, const ApiContext& context) {
  server.set_pre_routing_handler([&context](const Request& req, Response& res) {
    if (context.faults.any_per_request()) leak_per_request(context.faults);
    auto error = check_request_framing(req.headers);
    if (!error) error = check_request_target(req.target);
    if (error) {
      send_error(res, error->status, error->message);
      res.set_header("Connection", "close");  // the rest of this connection cannot be framed
      return httplib::Server::HandlerResponse::Handled;  // before the ambiguous body is read
    }
    if (context.bearer_token && req.path != "/health" &&
        !same_token(req.get_header_value("Authorization"), "Bearer " + *context.bearer_token)) {
      send_error(res, 401, default_message(401));
      return httplib::Server::HandlerResponse::Handled;  // before the body is even read
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  install_issue_routes(server, context);
  install_service_routes(server, context);
  install_method_not_allowed(server);
  server.set_error_handler([](const Request&, Response& res) {
    if (res.body.empty()) send_error(res, res.status, default_message(res.status));
  });
  server.set_exception_handler([](const Request& req, Response& res, std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "trackerd: %s %s failed: %s\n", req.method.c_str(), req.path.c_str(),
                 what.c_str());
    send_error(res, 500, "internal error: " + what);
  });
  server.set_payload_max_length(kMaxRequestBodyBytes);
}

}  // namespace tracker
