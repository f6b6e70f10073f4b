// HTTP/1.1 framing checks cpp-httplib 0.11.4 does not make (RFC 9112 §6.3): a request whose
// length is ambiguous or whose header section is abusive is refused before its body is read.
// Pure: header fields in, an error to answer with (and close the connection) or nothing out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <httplib.h>

namespace tracker {

inline constexpr size_t kMaxHeaderFields = 100;
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;  // names + values of all fields

struct FramingError {
  int status;  // 400, or 431 for a header section that is too large
  std::string message;
  bool operator==(const FramingError&) const = default;
};

// Refuses: more than kMaxHeaderFields fields or kMaxHeaderBytes bytes (431); control characters
// in a name or value; a name that is not a token; more than one Content-Length, or one that is
// not 1 to 19 decimal digits; a Transfer-Encoding other than a single "chunked"; Content-Length
// together with Transfer-Encoding (the classic request-smuggling ambiguity).
std::optional<FramingError> check_request_framing(const httplib::Headers& headers);

}  // namespace tracker
