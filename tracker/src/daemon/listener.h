// Getting the daemon's endpoint ready: the Unix socket's directory and stale-socket check,
// the TCP bearer token, and binding the server to either.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include <httplib.h>

#include "daemon_options.h"
#include "tracker/endpoint.h"

namespace tracker {

// A runtime failure that makes trackerd exit 1 (e.g. "socket in use").
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Creates the parent directory (0700) if missing; an existing one must belong to us (or root)
// and not be writable by others unless sticky. A socket file nobody answers on is removed;
// one a live daemon answers on, or a path that is not a socket, is a StartupError.
void prepare_unix_socket_path(const std::filesystem::path& socket_path);

// 32 random bytes from /dev/urandom, hex-encoded.
std::string generate_token();
// Writes `token` to `path`, mode 0600 even if the file existed. Throws StartupError.
void write_token_file(const std::filesystem::path& path, const std::string& token);

// A bound (not yet listening) server endpoint. For Unix sockets, remove_socket() unlinks the
// socket file only if it is still the one this daemon created.
class BoundEndpoint {
 public:
  // Binds `server` as the options say. Throws StartupError.
  static BoundEndpoint bind(httplib::Server& server, const DaemonOptions& options);
  const Endpoint& endpoint() const { return endpoint_; }
  void remove_socket() const noexcept;

 private:
  Endpoint endpoint_;
  ino_t socket_inode_ = 0;
};

}  // namespace tracker
