// One client session: a keep-alive HTTP connection to trackerd, counted as "sessions".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "leakgate/accounted.h"
#include "tracker/endpoint.h"

namespace tracker {

struct HttpReply {
  int status = 0;
  std::string body;
};

class Session {
 public:
  Session(const Endpoint& endpoint, const std::string& token, std::chrono::milliseconds timeout);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Throws ClientError(0, ...) when the request could not be sent or answered.
  HttpReply send(std::string_view method, const std::string& path, const httplib::Params& query,
                 const std::string* json_body);

 private:
  httplib::Client http_;
  std::optional<std::chrono::steady_clock::time_point> last_reply_;
  leakgate::Accounted token_{leakgate::kind("sessions")};
};

}  // namespace tracker
