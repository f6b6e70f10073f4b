#include "listener.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "leakgate/unique_fd.h"

namespace tracker {
namespace {

using leakgate::UniqueFd;

[[noreturn]] void fail(const std::string& what) {
  throw StartupError(what + ": " + std::strerror(errno));
}

// True when a process accepts connections on the socket at `path`.
bool someone_listens(const std::filesystem::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
}

// A directory another user controls lets them swap our socket for theirs (the default
// /tmp/tracker-UID can be created by anyone first): it must belong to us or root and, if
// others may write to it, be sticky like /tmp so they cannot remove our socket.
void check_socket_directory(const std::filesystem::path& directory) {
  struct stat status {};
  if (::stat(directory.c_str(), &status) != 0) fail("cannot stat " + directory.string());
  if (!S_ISDIR(status.st_mode)) throw StartupError(directory.string() + " is not a directory");
  if (status.st_uid != ::geteuid() && status.st_uid != 0) {
    throw StartupError("socket directory " + directory.string() + " belongs to uid " +
                       std::to_string(status.st_uid) + ", not to us");
  }
  if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (status.st_mode & S_ISVTX) == 0) {
    throw StartupError("socket directory " + directory.string() +
                       " is writable by others and not sticky");
  }
}

}  // namespace

void prepare_unix_socket_path(const std::filesystem::path& socket_path) {
  if (socket_path.string().size() >= sizeof(sockaddr_un::sun_path)) {
    throw StartupError("socket path too long (max 107 bytes): " + socket_path.string());
  }
  const auto parent = socket_path.parent_path();
  if (!parent.empty() && ::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) {
    std::error_code error;  // mkdir -p for deeper paths, then tighten the last level
    std::filesystem::create_directories(parent, error);
    if (error || ::chmod(parent.c_str(), 0700) != 0) {
      throw StartupError("cannot create " + parent.string() + ": " + error.message());
    }
  }
  check_socket_directory(parent.empty() ? std::filesystem::path(".") : parent);
  struct stat status {};
  if (::lstat(socket_path.c_str(), &status) != 0) {
    if (errno == ENOENT) return;
    fail("cannot stat " + socket_path.string());
  }
  if (!S_ISSOCK(status.st_mode)) {
    throw StartupError(socket_path.string() + " exists and is not a socket");
  }
  if (someone_listens(socket_path)) {
    throw StartupError("socket in use: another trackerd listens on " + socket_path.string());
  }
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) {
    fail("cannot remove stale socket " + socket_path.string());
  }
}

std::string generate_token() {
  UniqueFd random(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!random) fail("/dev/urandom");
  unsigned char bytes[32];
  size_t have = 0;
  while (have < sizeof(bytes)) {
    const ssize_t got = ::read(random.get(), bytes + have, sizeof(bytes) - have);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) fail("reading /dev/urandom");
    have += static_cast<size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 0xF];
  }
  return token;
}

void write_token_file(const std::filesystem::path& path, const std::string& token) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) fail("cannot write token file " + path.string());
  if (::fchmod(fd.get(), 0600) != 0) fail("chmod " + path.string());
  const std::string line = token + "\n";
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    fail("cannot write token file " + path.string());
  }
}

namespace {

// cpp-httplib 0.11.4 listens with a backlog of 5. A full Unix-socket backlog makes a
// non-blocking connect fail at once (EAGAIN) instead of waiting, so a burst of clients gets
// "connection failed". Record the listening socket, then listen again with a deep backlog
// (listen() on a listening socket only changes its backlog).
std::shared_ptr<int> record_listening_socket(httplib::Server& server) {
  auto listening = std::make_shared<int>(-1);
  server.set_socket_options([listening](socket_t sock) {
    httplib::default_socket_options(sock);
    *listening = sock;  // the last socket offered is the one that got bound
  });
  return listening;
}

void deepen_backlog(int listening) {
  if (listening >= 0) ::listen(listening, SOMAXCONN);
}

}  // namespace

BoundEndpoint BoundEndpoint::bind(httplib::Server& server, const DaemonOptions& options) {
  BoundEndpoint bound;
  const auto listening = record_listening_socket(server);
  if (options.listen) {
    const ListenAddress& address = *options.listen;
    int port = address.port;
    if (port == 0) {
      port = server.bind_to_any_port(address.host);
    } else if (!server.bind_to_port(address.host, port)) {
      port = -1;
    }
    if (port <= 0) fail("cannot listen on " + address.host + ":" + std::to_string(address.port));
    deepen_backlog(*listening);
    bound.endpoint_ = Endpoint::tcp(address.host, port);
    return bound;
  }
  const auto& path = options.socket_path;
  prepare_unix_socket_path(path);
  server.set_address_family(AF_UNIX);
  // umask makes the socket 0600 from its first moment; chmod alone would leave a window.
  const mode_t previous = ::umask(0177);
  const bool ok = server.bind_to_port(path.string(), 80);  // the port is ignored for AF_UNIX
  ::umask(previous);
  if (!ok) fail("cannot listen on " + path.string());
  deepen_backlog(*listening);
  struct stat status {};
  if (::stat(path.c_str(), &status) == 0) bound.socket_inode_ = status.st_ino;
  bound.endpoint_ = Endpoint::unix_socket(path.string());
  return bound;
}

void BoundEndpoint::remove_socket() const noexcept {
  if (endpoint_.kind != Endpoint::Kind::kUnix) return;
  struct stat status {};
  // Another daemon may have replaced a socket we thought stale: leave theirs alone.
  if (::lstat(endpoint_.path.c_str(), &status) == 0 && status.st_ino == socket_inode_) {
    ::unlink(endpoint_.path.c_str());
  }
}

}  // namespace tracker
