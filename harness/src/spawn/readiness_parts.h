// The pure pieces of the readiness waits (readiness.h): a tcp target's text, sd_notify
// datagrams, log lines matched as they arrive, and the never-ready message.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "leakgate/units.h"  // Millis

namespace leakgate {

struct TcpTarget {
  std::string host = "127.0.0.1";
  std::string port;         // digits, 1..65535
  std::string str() const;  // "127.0.0.1:8080", "[::1]:8080"
};
// "8080" (loopback), "localhost:8080", "10.0.0.1:8080", "[::1]:8080". nullopt when the port
// is not 1..65535 or the host is empty.
std::optional<TcpTarget> parse_tcp_target(std::string_view text);

// sd_notify(3): newline-separated VAR=VALUE assignments in one datagram. The value of `key`
// (nullopt when absent); READY=1 is notify_field(d, "READY") == "1".
std::optional<std::string> notify_field(std::string_view datagram, std::string_view key);
bool notify_says_ready(std::string_view datagram);

// Complete lines of one stream as chunks of it arrive; the first line the regex finds
// (std::regex_search) is kept. A line still being written is held back until its newline.
class LineMatcher {
 public:
  explicit LineMatcher(const std::regex& regex) : regex_(&regex) {}
  // True once some line has matched (this chunk or an earlier one).
  bool feed(std::string_view chunk);
  const std::string& matched_line() const { return matched_; }

 private:
  const std::regex* regex_;
  std::string pending_;
  std::string matched_;
  bool found_ = false;
};

// "ready {tcp: 127.0.0.1:4242}: nothing accepted a connection within 10s (ready_timeout);
// last attempt: Connection refused". `what_failed` says what did not happen; `last` is the
// last thing seen ("" for nothing).
std::string never_ready_message(std::string_view kind, std::string_view target,
                                std::string_view what_failed, Millis timeout,
                                std::string_view last);

}  // namespace leakgate
