#include "leakgate/reports/html.h"

namespace leakgate::reports {

std::string escape_html(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      case '\0':
        escaped += "&#65533;";
        break;  // NUL is never valid in HTML text
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string safe_relative_href(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.front() == '\\') return {};
  const std::size_t colon = path.find(':');
  if (colon != std::string_view::npos) return {};  // any scheme, including javascript:
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.substr(start, end - start) == "..") return {};
    start = end + 1;
  }
  return escape_html(path);
}

}  // namespace leakgate::reports
