#include "input_guard.h"

#include <cstdio>
#include <vector>

#include "leakgate/scenario_parser.h"

namespace leakgate::detail {
namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 if it is not valid UTF-8.
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t min_code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0)
    length = 2, min_code = 0x80;
  else if ((lead & 0xF0) == 0xE0)
    length = 3, min_code = 0x800;
  else if ((lead & 0xF8) == 0xF0)
    length = 4, min_code = 0x10000;
  else
    return 0;
  if (i + length > text.size()) return 0;
  uint32_t code = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not text.
  if (code < min_code || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
  return length;
}

std::string hex_byte(unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02X", byte);
  return buffer;
}

void check_bytes(std::string_view text, const std::string& file) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const SourceLocation here{file, line, column};
    if (c == 0)
      throw ScenarioError(here, "NUL byte: this is not a text file",
                          "scenario files are UTF-8 YAML text");
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
      throw ScenarioError(here, "control character " + hex_byte(c) + " (binary data?)",
                          "scenario files are UTF-8 YAML text; tabs and newlines are the only "
                          "control characters allowed");
    const size_t length = utf8_sequence_length(text, i);
    if (length == 0)
      throw ScenarioError(here, "invalid UTF-8 byte " + hex_byte(c) + " (binary data?)",
                          "scenario files are UTF-8 YAML text");
    if (c == '\n')
      ++line, column = 1;
    else
      ++column;
    i += length;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

TextStructure scan_structure(std::string_view text, int stop_above) {
  TextStructure found;
  std::vector<size_t> block_levels;  // indentation column of each open block level
  int flow = 0;
  bool in_double = false, in_single = false;
  long literal_parent_indent = -1;  // inside a | or > block scalar: lines deeper than this
  int line_number = 0;
  auto record = [&](size_t column) {
    const int depth = static_cast<int>(block_levels.size()) + flow;
    if (depth > found.depth)
      found.depth = depth, found.deepest = {line_number, static_cast<int>(column) + 1};
    return depth > stop_above;
  };
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = end + 1;
    ++line_number;
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    const bool blank = indent == line.size() || line[indent] == '#';
    if (literal_parent_indent >= 0) {
      if (blank || static_cast<long>(indent) > literal_parent_indent) continue;
      literal_parent_indent = -1;
    }
    size_t i = 0;
    if (flow == 0 && !in_double && !in_single) {
      if (blank) continue;
      if (indent == 0 && (line.substr(0, 3) == "---" || line.substr(0, 3) == "...")) {
        block_levels.clear();
        continue;
      }
      while (!block_levels.empty() && block_levels.back() >= indent) block_levels.pop_back();
      block_levels.push_back(indent);
      i = indent;
      // "- - - x": each further marker opens a nested sequence on the same line.
      while (i < line.size() && line[i] == '-' && (i + 1 == line.size() || is_space(line[i + 1]))) {
        if (i != indent) block_levels.push_back(i);
        if (record(i)) return found;
        ++i;
        while (i < line.size() && is_space(line[i])) ++i;
      }
      if (record(indent)) return found;
    }
    // A token starts after line start, "[", "{", "," or an indicator followed by a space.
    bool token_start = i == indent || (i > 0 && is_space(line[i - 1]));
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (in_double) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_double = false;
        continue;
      }
      if (in_single) {
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'')
          ++i;
        else if (c == '\'')
          in_single = false;
        continue;
      }
      if (is_space(c)) continue;
      if (c == '#' && (i == 0 || is_space(line[i - 1]))) break;  // comment
      const bool at_token = token_start;
      token_start = false;
      if (at_token && (c == '"' || c == '\'')) {
        (c == '"' ? in_double : in_single) = true;
        found.quote_start = {line_number, static_cast<int>(i) + 1};
      } else if ((c == '[' || c == '{') && (flow > 0 || at_token)) {
        ++flow;
        token_start = true;
        if (record(i)) return found;
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      } else if (c == ',' && flow > 0) {
        token_start = true;
      } else if ((c == ':' || c == '-' || c == '?') &&
                 (i + 1 == line.size() || is_space(line[i + 1]))) {
        token_start = true;
      } else if ((c == '|' || c == '>') && at_token && flow == 0) {
        literal_parent_indent = static_cast<long>(indent);
        break;
      }
    }
  }
  found.open_quote = in_double || in_single;
  return found;
}

void check_scenario_text(std::string_view text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes)
    throw ScenarioError(SourceLocation{file, 1, 1},
                        "file is larger than 1 MiB, too large for a scenario",
                        "at most " + std::to_string(kMaxScenarioBytes) + " bytes (1 MiB)");
  check_bytes(text, file);
  const TextStructure structure = scan_structure(text, kMaxScenarioNesting);
  if (structure.depth > kMaxScenarioNesting)
    throw ScenarioError(SourceLocation{file, structure.deepest.line, structure.deepest.column},
                        "nested deeper than " + std::to_string(kMaxScenarioNesting) + " levels",
                        "scenarios nest a few levels; flatten the data");
  if (structure.open_quote)
    throw ScenarioError(
        SourceLocation{file, structure.quote_start.line, structure.quote_start.column},
        "YAML syntax error: quoted string never closed",
        "close every quoted string with the quote it starts with");
}

}  // namespace leakgate::detail
