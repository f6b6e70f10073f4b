#include "leakgate/variables.h"

#include <algorithm>

namespace leakgate {
namespace {

constexpr std::string_view kSyntaxHelp = "write ${NAME} for a variable or $$ for a literal '$'";

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::string excerpt(std::string_view text) {
  constexpr size_t kMax = 60;
  return "'" + std::string(text.substr(0, kMax)) + (text.size() > kMax ? "...'" : "'");
}

// Walks a template once, calling on_text for literal runs and on_variable for each ${NAME}.
template <typename OnText, typename OnVariable>
void scan_template(std::string_view text, OnText on_text, OnVariable on_variable) {
  size_t literal_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      ++i;
      continue;
    }
    on_text(text.substr(literal_start, i - literal_start));
    if (text[i + 1] == '$') {
      on_text("$");
      i += 2;
    } else {
      const size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos)
        throw VariableError("unterminated '${' at offset " + std::to_string(i) + " in " +
                                excerpt(text) + "; " + std::string(kSyntaxHelp),
                            i);
      const std::string_view name = text.substr(i + 2, close - i - 2);
      if (!is_valid_variable_name(name))
        throw VariableError("invalid variable name '${" + std::string(name) + "}' in " +
                                excerpt(text) +
                                "; names are letters, digits and '_', not starting with a digit",
                            i);
      on_variable(name, i);
      i = close + 1;
    }
    literal_start = i;
  }
  on_text(text.substr(literal_start));
}

}  // namespace

bool is_valid_variable_name(std::string_view name) {
  return !name.empty() && is_name_start(name.front()) &&
         std::all_of(name.begin(), name.end(), is_name_char);
}

std::string expand_variables(std::string_view text, const Variables& values) {
  std::string out;
  out.reserve(text.size());
  scan_template(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name, size_t offset) {
        const auto found = values.find(std::string(name));
        if (found == values.end()) {
          std::string defined;
          for (const auto& [known, value] : values)
            defined += (defined.empty() ? "" : ", ") + known;
          throw VariableError("undefined variable '${" + std::string(name) + "}' in " +
                                  excerpt(text) +
                                  "; defined: " + (defined.empty() ? "none" : defined),
                              offset);
        }
        out += found->second;
      });
  return out;
}

std::string bind_variables(std::string_view text, const Variables& values) {
  std::string out;
  out.reserve(text.size());
  const auto append_literal = [&](std::string_view literal) {
    for (char c : literal) out += c == '$' ? "$$" : std::string(1, c);
  };
  scan_template(text, append_literal, [&](std::string_view name, size_t) {
    const auto found = values.find(std::string(name));
    if (found != values.end())
      append_literal(found->second);
    else
      out += "${" + std::string(name) + "}";
  });
  return out;
}

std::vector<std::string> referenced_variables(std::string_view text) {
  std::vector<std::string> names;
  scan_template(
      text, [](std::string_view) {},
      [&](std::string_view name, size_t) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
      });
  return names;
}

}  // namespace leakgate
