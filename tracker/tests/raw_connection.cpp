#include "raw_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace tracker::testing {

using Clock = std::chrono::steady_clock;

RawConnection::RawConnection(const std::filesystem::path& socket_path)
    : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (!fd_) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("connect " + socket_path.string() + ": " + std::strerror(errno));
  }
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    // MSG_NOSIGNAL: a daemon that closes early must not kill the test with SIGPIPE.
    const ssize_t sent = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

void RawConnection::finish_sending() { ::shutdown(fd_.get(), SHUT_WR); }

RawExchange RawConnection::receive(std::chrono::milliseconds timeout, Until until) {
  RawExchange result;
  const auto deadline = Clock::now() + timeout;
  char buffer[65536];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd ready{fd_.get(), POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(left));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      result.timed_out = true;
      break;
    }
    const ssize_t got = ::recv(fd_.get(), buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {  // EOF, or a reset because our unread request bytes were discarded
      result.closed = true;
      break;
    }
    result.response.append(buffer, static_cast<size_t>(got));
    if (until == Until::kResponse && complete_response_length(result.response) > 0) break;
  }
  result.status = status_of(result.response);
  return result;
}

int status_of(std::string_view response) {
  for (;;) {
    if (!response.starts_with("HTTP/1.") || response.size() < 12 || response[8] != ' ') return 0;
    int status = 0;
    const auto [end, error] = std::from_chars(response.data() + 9, response.data() + 12, status);
    if (error != std::errc() || end != response.data() + 12) return 0;
    const size_t interim_end = response.find("\r\n\r\n");
    // Skip interim answers (100 Continue): the final status is what the request got.
    if (status >= 200 || interim_end == std::string_view::npos) return status;
    response.remove_prefix(interim_end + 4);
  }
}

size_t complete_response_length(std::string_view response) {
  size_t start = 0;
  for (;;) {
    const size_t head_end = response.find("\r\n\r\n", start);
    if (head_end == std::string_view::npos) return 0;
    const std::string_view head = response.substr(start, head_end - start);
    const int status = status_of(head);
    if (status >= 100 && status < 200) {  // interim: the final response follows
      start = head_end + 4;
      continue;
    }
    size_t body = 0;
    if (const size_t at = head.find("\r\nContent-Length: "); at != std::string_view::npos) {
      const char* digits = head.data() + at + 18;
      std::from_chars(digits, head.data() + head.size(), body);
    }
    const size_t total = head_end + 4 + body;
    return response.size() >= total ? total : 0;
  }
}

RawExchange send_and_receive(const std::filesystem::path& socket_path, std::string_view request,
                             bool truncate, std::chrono::milliseconds timeout) {
  RawConnection connection(socket_path);
  if (connection.send(request) && truncate) connection.finish_sending();
  return connection.receive(timeout);
}

}  // namespace tracker::testing
