#include "spawn/endpoint.h"

#include <sys/socket.h>

#include <httplib.h>
#include <stdexcept>

namespace leakgate {

std::unique_ptr<httplib::Client> make_http_client(const std::string& endpoint, int timeout_ms) {
  std::unique_ptr<httplib::Client> client;
  if (endpoint.rfind("unix:", 0) == 0) {
    client = std::make_unique<httplib::Client>(endpoint.substr(5));
    client->set_address_family(AF_UNIX);
  } else if (endpoint.rfind("http://", 0) == 0) {
    client = std::make_unique<httplib::Client>(endpoint);
  } else {
    throw std::invalid_argument("endpoint '" + endpoint +
                                "' is neither unix:/path nor http://host:port");
  }
  const time_t seconds = timeout_ms / 1000;
  const time_t micros = (timeout_ms % 1000) * 1000;
  client->set_connection_timeout(seconds, micros);
  client->set_read_timeout(seconds, micros);
  client->set_write_timeout(seconds, micros);
  return client;
}

}  // namespace leakgate

namespace leakgate {
bool probe_http_ready(const std::string& endpoint, const std::string& path) {
  try {
    auto client = make_http_client(endpoint, 500);
    auto response = client->Get(path);
    return response && response->status >= 200 && response->status < 300;
  } catch (const std::exception&) {
    return false;
  }
}
}  // namespace leakgate
