// Checks of the raw request cpp-httplib 0.11.4 does not make: a request whose length is
// ambiguous (RFC 9112 §6.3) or whose header section is abusive is refused before its body is
// read, and a query string it would parse ambiguously is refused rather than misread.
// Pure: header fields or target in, an error to answer with (and close the connection) or
// nothing out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

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

// Refuses a query parameter holding a second raw '=' (cpp-httplib keeps only the text after
// the last one, so "offset=0 OR 1=1" would silently mean offset=1): 400.
std::optional<FramingError> check_request_target(std::string_view target);

}  // namespace tracker
