#include "tracker/endpoint.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>

namespace tracker {

Endpoint Endpoint::unix_socket(std::string path) {
  Endpoint endpoint;
  endpoint.kind = Kind::kUnix;
  endpoint.path = std::move(path);
  return endpoint;
}

Endpoint Endpoint::tcp(std::string host, int port) {
  Endpoint endpoint;
  endpoint.kind = Kind::kTcp;
  endpoint.host = std::move(host);
  endpoint.port = port;
  return endpoint;
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
  constexpr std::string_view kUnixPrefix = "unix:";
  constexpr std::string_view kHttpPrefix = "http://";
  if (text.starts_with(kUnixPrefix)) {
    text.remove_prefix(kUnixPrefix.size());
    if (text.empty()) return std::nullopt;
    return unix_socket(std::string(text));
  }
  if (!text.starts_with(kHttpPrefix)) return std::nullopt;
  text.remove_prefix(kHttpPrefix.size());
  if (text.ends_with('/')) text.remove_suffix(1);
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {  // [IPv6]:port
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  int port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port < 1 || port > 65535) {
    return std::nullopt;
  }
  return tcp(std::string(host), port);
}

std::string Endpoint::str() const {
  if (kind == Kind::kUnix) return "unix:" + path;
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Endpoint default_endpoint() {
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  if (runtime_dir != nullptr && *runtime_dir != '\0') {
    return Endpoint::unix_socket(std::string(runtime_dir) + "/tracker/trackerd.sock");
  }
  return Endpoint::unix_socket("/tmp/tracker-" + std::to_string(getuid()) + "/trackerd.sock");
}

}  // namespace tracker
