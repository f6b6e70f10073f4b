// A daemon endpoint as printed in its readiness line: "unix:/path" or "http://host:port".
#pragma once

#include <memory>
#include <string>

namespace httplib {
class Client;
}

namespace leakgate {

// An HTTP client for the endpoint (Unix socket or TCP), with short timeouts so a hung daemon
// cannot hang the harness. Throws std::invalid_argument for an endpoint it cannot parse.
std::unique_ptr<httplib::Client> make_http_client(const std::string& endpoint,
                                                  int timeout_ms = 5000);

}  // namespace leakgate

namespace leakgate {
// True when GET <path> on the endpoint answers 2xx.
bool probe_http_ready(const std::string& endpoint, const std::string& path);
}  // namespace leakgate
