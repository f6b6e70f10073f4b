// Escaping for text and attribute values taken from result.json: every string that
// reaches a page goes through escape_html, so a daemon's output cannot inject markup.
#pragma once

#include <string>
#include <string_view>

namespace leakgate::reports {

// Escapes & < > " ' so the result is safe both as element text and inside a quoted attribute.
std::string escape_html(std::string_view text);

// A relative link target for a file beside the page, or "" when `path` is not a plain
// relative path (a scheme like javascript:, an absolute path, or ".." components).
std::string safe_relative_href(std::string_view path);

}  // namespace leakgate::reports
