#include "session.h"

#include <signal.h>
#include <sys/socket.h>

#include <cerrno>

#include "tracker/client.h"

namespace tracker {
namespace {

httplib::Client make_http_client(const Endpoint& endpoint) {
  if (endpoint.kind == Endpoint::Kind::kUnix) return httplib::Client(endpoint.path, 80);
  return httplib::Client(endpoint.host, endpoint.port);
}

// trackerd closes a keep-alive connection idle for 1 s. A request sent just as that happens
// fails; reconnecting after half that long never races the close.
constexpr auto kReconnectWhenIdle = std::chrono::milliseconds(500);

// cpp-httplib 0.11.4 writes without MSG_NOSIGNAL: a write to a connection the daemon reset
// would raise SIGPIPE and kill the host process. Block it in this thread for the request and
// consume one raised meanwhile (unless it was already pending before).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      const timespec no_wait{0, 0};
      while (sigtimedwait(&sigpipe_, nullptr, &no_wait) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t sigpipe_{};
  sigset_t previous_{};
  bool was_pending_ = false;
};

}  // namespace

Session::Session(const Endpoint& endpoint, const std::string& token,
                 std::chrono::milliseconds timeout)
    : http_(make_http_client(endpoint)) {
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    http_.set_address_family(AF_UNIX);
    http_.set_default_headers({{"Host", "localhost"}});  // not the socket path
  }
  if (endpoint.kind == Endpoint::Kind::kTcp) http_.set_tcp_nodelay(true);  // no Nagle stalls
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
  if (last_reply_ && std::chrono::steady_clock::now() - *last_reply_ > kReconnectWhenIdle) {
    http_.stop();  // closes the idle connection; this request opens a fresh one
  }
  SigpipeGuard no_sigpipe;
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
  last_reply_ = std::chrono::steady_clock::now();
  return HttpReply{result->status, result->body};
}

}  // namespace tracker
