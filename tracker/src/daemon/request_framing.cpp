#include "request_framing.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace tracker {
namespace {

// RFC 9110 §5.6.2 tchar.
bool is_token_char(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

// Field values may hold visible characters, spaces, tabs and obs-text; never NUL, CR or LF.
bool has_header_control_characters(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && byte != '\t') || byte == 0x7F;
  });
}

bool is_decimal_length(std::string_view value) {
  // 19 digits always fit in int64: a longer number is refused rather than wrapped.
  return !value.empty() && value.size() <= 19 &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<FramingError> check_request_framing(const httplib::Headers& headers) {
  if (headers.size() > kMaxHeaderFields) {
    return FramingError{431, "too many header fields (limit 100)"};
  }
  size_t bytes = 0;
  for (const auto& [name, value] : headers) {
    bytes += name.size() + value.size();
    if (!is_token(name)) return FramingError{400, "malformed header field name"};
    if (has_header_control_characters(value)) {
      return FramingError{400, "control character in header field " + name};
    }
  }
  if (bytes > kMaxHeaderBytes) return FramingError{431, "header fields too large (limit 16 KiB)"};

  const size_t lengths = headers.count("Content-Length");  // the map compares case-insensitively
  const size_t encodings = headers.count("Transfer-Encoding");
  if (lengths > 1) return FramingError{400, "more than one Content-Length"};
  if (lengths == 1 && !is_decimal_length(headers.find("Content-Length")->second)) {
    return FramingError{400, "Content-Length must be a decimal number"};
  }
  if (encodings > 1) return FramingError{400, "more than one Transfer-Encoding"};
  if (encodings == 1) {
    if (!equals_ignoring_case(headers.find("Transfer-Encoding")->second, "chunked")) {
      return FramingError{400, "only Transfer-Encoding: chunked is supported"};
    }
    if (lengths == 1) return FramingError{400, "Content-Length with Transfer-Encoding"};
  }
  return std::nullopt;
}

std::optional<FramingError> check_request_target(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (std::count(pair.begin(), pair.end(), '=') > 1) {
      return FramingError{400, "'=' inside a query parameter value must be written %3D"};
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return std::nullopt;
}

}  // namespace tracker
