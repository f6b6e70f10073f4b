#include "spawn/readiness.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "spawn/readiness_parts.h"

namespace leakgate {
namespace {

constexpr int kPollMs = 5;

// The bytes `path` gained since `offset` (the daemon's captured output grows as it writes).
std::string read_new(const std::filesystem::path& path, size_t& offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(offset));
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  offset += chunk.size();
  return chunk;
}

// One connection attempt with a short timeout, closed at once; "" or why it failed.
std::string try_connect(const addrinfo& address) {
  UniqueFd fd(::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                       address.ai_protocol));
  if (!fd) return std::strerror(errno);
  if (::connect(fd.get(), address.ai_addr, address.ai_addrlen) == 0) return {};
  if (errno != EINPROGRESS) return std::strerror(errno);
  pollfd wait{fd.get(), POLLOUT, 0};
  if (::poll(&wait, 1, 200) <= 0) return "connect timed out";
  int error = 0;
  socklen_t size = sizeof(error);
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
  return error == 0 ? std::string() : std::strerror(error);
}

}  // namespace

NotifySocket::NotifySocket(const std::filesystem::path& dir) {
  static std::atomic<int> made{0};
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = (dir / "notify.sock").string();
  socklen_t length;
  if (path.size() < sizeof(address.sun_path)) {
    path_ = path;
    address_ = path;
    std::filesystem::remove(path_);  // left by an earlier start of this run
    std::memcpy(address.sun_path, path.data(), path.size());
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  } else {
    // Abstract: a leading NUL in sun_path, "@" in NOTIFY_SOCKET; gone with the last fd.
    const std::string name =
        "leakgate-notify-" + std::to_string(getpid()) + "-" + std::to_string(made++);
    address_ = "@" + name;
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  }
  fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd_ || ::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0)
    throw DaemonError("ready {notify: true}: cannot bind NOTIFY_SOCKET " + address_ + ": " +
                      std::strerror(errno));
}

NotifySocket::~NotifySocket() {
  fd_.reset();
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove(path_, ignored);
}

bool NotifySocket::poll_ready() {
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::recv(fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got < 0) break;  // EAGAIN: nothing more queued
    const std::string_view datagram(buffer, static_cast<size_t>(got));
    ready_ = ready_ || notify_says_ready(datagram);
    last_.clear();
    for (char c : datagram) last_ += c == '\n' ? std::string("; ") : std::string(1, c);
  }
  return ready_;
}

DaemonReadiness::DaemonReadiness(const DaemonSpec& spec, const Variables& vars,
                                 const std::filesystem::path& workdir)
    : kind_(spec.ready), timeout_(spec.ready_timeout) {
  if (kind_ == DaemonSpec::Ready::kTcp) {
    kind_name_ = "tcp";
    const std::string text = expand_variables(spec.ready_tcp, vars);
    const auto target = parse_tcp_target(text);
    if (!target)
      throw DaemonError("ready {tcp: " + spec.ready_tcp + "}: '" + text +
                        "' is not a port or host:port");
    host_ = target->host;
    port_ = target->port;
    target_ = target->str();
  } else if (kind_ == DaemonSpec::Ready::kLog) {
    kind_name_ = "log";
    target_ = expand_variables(spec.ready_log, vars);
    regex_ = std::make_unique<std::regex>(target_, std::regex::ECMAScript);  // parser checked
    target_ = "'" + target_ + "'";
  } else if (kind_ == DaemonSpec::Ready::kNotify) {
    kind_name_ = "notify";
    notify_ = std::make_unique<NotifySocket>(workdir);
    target_ = "true";
  }
}

DaemonReadiness::~DaemonReadiness() = default;

void DaemonReadiness::add_environment(std::map<std::string, std::string>& env) const {
  if (notify_) env["NOTIFY_SOCKET"] = notify_->address();
}

bool DaemonReadiness::tcp_accepts(std::string& last_error) const {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found); rc != 0) {
    last_error = "last attempt: cannot resolve " + host_ + ": " + gai_strerror(rc);
    return false;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  for (const addrinfo* address = found; address; address = address->ai_next) {
    const std::string error = try_connect(*address);
    if (error.empty()) return true;
    last_error = "last attempt: " + error;
  }
  return false;
}

void DaemonReadiness::wait(DaemonProcess& daemon) {
  if (kind_ != DaemonSpec::Ready::kTcp && kind_ != DaemonSpec::Ready::kLog && !notify_) return;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::unique_ptr<LineMatcher> out, err;
  if (regex_) {
    out = std::make_unique<LineMatcher>(*regex_);
    err = std::make_unique<LineMatcher>(*regex_);
  }
  size_t out_offset = 0, err_offset = 0;
  std::string last;
  for (;;) {
    bool ready = false;
    if (kind_ == DaemonSpec::Ready::kTcp) {
      ready = tcp_accepts(last);
    } else if (regex_) {
      ready = out->feed(read_new(daemon.stdout_path(), out_offset)) ||
              err->feed(read_new(daemon.stderr_path(), err_offset));
    } else {
      ready = notify_->poll_ready();
      last = notify_->last_datagram().empty() ? "no datagram came"
                                              : "last datagram: " + notify_->last_datagram();
    }
    if (ready) return;
    const std::string waiting = "ready {" + kind_name_ + ": " + target_ + "}";
    if (auto status = daemon.poll_exit())
      throw DaemonError("daemon exited before it was ready (" + status->describe() +
                        "); waited for " + waiting);
    if (std::chrono::steady_clock::now() > deadline) {
      if (kind_ == DaemonSpec::Ready::kTcp)
        throw DaemonError(never_ready_message(kind_name_, target_, "nothing accepted a connection",
                                              timeout_, last));
      if (regex_)
        throw DaemonError(never_ready_message(
            kind_name_, target_, "no line of the daemon's stdout or stderr matched", timeout_, ""));
      throw DaemonError(never_ready_message(
          kind_name_, target_, "no READY=1 came to NOTIFY_SOCKET=" + notify_->address(), timeout_,
          last));
    }
    if (notify_) {
      pollfd readable{notify_->fd(), POLLIN, 0};
      ::poll(&readable, 1, kPollMs);
    } else {
      struct timespec pause {
        0, kPollMs * 1'000'000L
      };
      nanosleep(&pause, nullptr);
    }
  }
}

}  // namespace leakgate
