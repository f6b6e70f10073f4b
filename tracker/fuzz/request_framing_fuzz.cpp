// trackerd's checks of raw requests from any client (untrusted): never a crash; whatever
// passes has an unambiguous length and an unambiguous query string.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "request_framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!tracker::check_request_target(std::string_view(reinterpret_cast<const char*>(data), size))) {
    // Accepted: no query parameter holds a second '='.
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    const size_t question = target.find('?');
    if (question != std::string_view::npos) {
      size_t equals_in_pair = 0;
      for (const char c : target.substr(question + 1)) {
        if (c == '&') equals_in_pair = 0;
        if (c == '=' && ++equals_in_pair > 1) std::abort();
      }
    }
  }
  // One "name:value" per line, as cpp-httplib hands them over (split at the first colon).
  std::string_view text(reinterpret_cast<const char*>(data), size);
  httplib::Headers headers;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    const size_t colon = line.find(':');
    headers.emplace(std::string(line.substr(0, colon)), colon == std::string_view::npos
                                                            ? std::string()
                                                            : std::string(line.substr(colon + 1)));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  }
  const auto error = tracker::check_request_framing(headers);
  if (error) {
    if (error->status != 400 && error->status != 431) std::abort();
    if (error->message.empty()) std::abort();
    return 0;
  }
  const size_t lengths = headers.count("Content-Length");
  const size_t encodings = headers.count("Transfer-Encoding");
  if (lengths > 1 || encodings > 1 || (lengths == 1 && encodings == 1)) std::abort();
  if (headers.size() > tracker::kMaxHeaderFields) std::abort();
  if (lengths == 1) {
    const std::string& value = headers.find("Content-Length")->second;
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) std::abort();
  }
  return 0;
}
