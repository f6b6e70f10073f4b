// A raw stream connection to trackerd's Unix socket: exact bytes out, whatever comes back in.
// For requests no HTTP client library would send (malformed, truncated, stalled).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "leakgate/unique_fd.h"

namespace tracker::testing {

struct RawExchange {
  int status = 0;          // final status code of the first response; 0 when none arrived
  std::string response;    // every byte received
  bool closed = false;     // the daemon closed the connection (EOF or reset)
  bool timed_out = false;  // the deadline passed first (no complete response, not closed)
};

class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& socket_path);  // throws on failure

  // Writes all of `bytes`; false when the daemon closed the connection first.
  bool send(std::string_view bytes);
  // Half-closes our side: the daemon reads EOF after what was sent (a truncated request).
  // cpp-httplib 0.11.4 may then drop its answer (a peer at EOF counts as gone), so only do
  // this when a closed connection is an acceptable outcome.
  void finish_sending();
  enum class Until { kResponse, kClose };
  // Reads until one complete response has arrived (kResponse) or the daemon closes the
  // connection, or `timeout` passes.
  RawExchange receive(std::chrono::milliseconds timeout, Until until = Until::kResponse);

 private:
  leakgate::UniqueFd fd_;
};

// Final status code of the HTTP/1.x response at the start of `response` (interim 1xx
// answers skipped); 0 if there is none.
int status_of(std::string_view response);

// Length of the first complete final response (with its Content-Length body) at the start of
// `response`; 0 while it is incomplete.
size_t complete_response_length(std::string_view response);

// Sends `request` on a fresh connection (then half-closes if `truncate`) and collects the reply.
RawExchange send_and_receive(const std::filesystem::path& socket_path, std::string_view request,
                             bool truncate,
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

}  // namespace tracker::testing
