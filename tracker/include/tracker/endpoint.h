// Where trackerd listens: "unix:/path/to.sock" or "http://127.0.0.1:PORT".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracker {

struct Endpoint {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string path;  // kUnix
  std::string host;  // kTcp, without brackets for IPv6
  int port = 0;      // kTcp

  static Endpoint unix_socket(std::string path);
  static Endpoint tcp(std::string host, int port);
  // nullopt when the text is neither form (or the port is out of range).
  static std::optional<Endpoint> parse(std::string_view text);
  std::string str() const;
};

// The endpoint used when nothing is configured:
// unix:$XDG_RUNTIME_DIR/tracker/trackerd.sock, else unix:/tmp/tracker-$UID/trackerd.sock.
Endpoint default_endpoint();

}  // namespace tracker
