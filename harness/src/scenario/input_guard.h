// Checks on the raw text before yaml-cpp sees it: size, bytes that are not YAML text, and
// nesting depth (yaml-cpp recurses once per level; Debian's 0.7 gives up near 500 levels
// with a misleading "bad file", upstream 0.7 overflows the stack).
#pragma once

#include <string>
#include <string_view>

namespace leakgate::detail {

// Throws ScenarioError (file:line:column) for: more than kMaxScenarioBytes, a NUL or other
// control byte, invalid UTF-8, or nesting deeper than kMaxScenarioNesting.
void check_scenario_text(std::string_view text, const std::string& file);

// What a light scan of YAML text finds without building a tree: its deepest nesting (with
// that point, 1-based), and a quoted scalar left open at the end (yaml-cpp 0.7 accepts one).
// Block levels are counted by indentation and "- " markers, flow levels by brackets outside
// quotes and comments. Exact for the shapes scenarios use; an estimate for exotic YAML.
struct TextPosition {
  int line = 1;
  int column = 1;
};
struct TextStructure {
  int depth = 0;
  TextPosition deepest;
  bool open_quote = false;
  TextPosition quote_start;
};
// Stops early once depth exceeds stop_above.
TextStructure scan_structure(std::string_view text, int stop_above);

}  // namespace leakgate::detail
