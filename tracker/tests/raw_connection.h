// A raw stream connection to trackerd's Unix socket: exact bytes out, whatever comes back in.
// For requests no HTTP client library would send (malformed, truncated, stalled).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "leakgate/unique_fd.h"

namespace tracker::testing {

struct RawExchange {
  int status = 0;         // final status code of the first response; 0 when none arrived
  std::string response;   // every byte received
  bool closed = false;    // the daemon closed the connection (EOF or reset)
  bool timed_out = false; // nothing more arrived before the deadline, connection still open
};

class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& socket_path);  // throws on failure

  // Writes all of `bytes`; false when the daemon closed the connection first.
  bool send(std::string_view bytes);
  // Half-closes our side: the daemon reads EOF after what was sent (a truncated request).
  void finish_sending();
  // Reads until the daemon closes the connection or `timeout` passes.
  RawExchange receive(std::chrono::milliseconds timeout);

 private:
  leakgate::UniqueFd fd_;
};

// Final status code of the HTTP/1.x response at the start of `response` (interim 1xx
// answers skipped); 0 if there is none.
int status_of(std::string_view response);

// Sends `request`, half-closes, and collects the reply (up to `timeout`).
RawExchange exchange(const std::filesystem::path& socket_path, std::string_view request,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

}  // namespace tracker::testing
