#include "session.h"

#include <sys/socket.h>

#include "tracker/client.h"

namespace tracker {
namespace {

httplib::Client make_http_client(const Endpoint& endpoint) {
  if (endpoint.kind == Endpoint::Kind::kUnix) return httplib::Client(endpoint.path, 80);
  return httplib::Client(endpoint.host, endpoint.port);
}

}  // namespace

Session::Session(const Endpoint& endpoint, const std::string& token,
                 std::chrono::milliseconds timeout)
    : http_(make_http_client(endpoint)) {
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    http_.set_address_family(AF_UNIX);
    http_.set_default_headers({{"Host", "localhost"}});  // not the socket path
  }
  if (!token.empty()) http_.set_bearer_token_auth(token);
  http_.set_keep_alive(true);
  http_.set_connection_timeout(timeout);
  http_.set_read_timeout(timeout);
  http_.set_write_timeout(timeout);
}

HttpReply Session::send(std::string_view method, const std::string& path,
                        const httplib::Params& query, const std::string* json_body) {
  constexpr const char* kJson = "application/json";
  const std::string body = json_body != nullptr ? *json_body : std::string();
  httplib::Result result{nullptr, httplib::Error::Unknown};
  if (method == "GET") {
    result = http_.Get(path, query, httplib::Headers{});
  } else if (method == "POST") {
    result = http_.Post(path, body, kJson);
  } else if (method == "PATCH") {
    result = http_.Patch(path, body, kJson);
  } else if (method == "DELETE") {
    result = http_.Delete(path);
  }
  if (!result) {
    const std::string reason = httplib::to_string(result.error());
    throw ClientError(
        0, reason, "",
        std::string(method) + " " + path + ": cannot reach trackerd (" + reason + ")");
  }
  return HttpReply{result->status, result->body};
}

}  // namespace tracker
