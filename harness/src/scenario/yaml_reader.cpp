#include "yaml_reader.h"

#include <charconv>
#include <cmath>

#include "leakgate/variables.h"
#include "suggest.h"

namespace leakgate::detail {
namespace {

constexpr size_t kMaxVisits = 200000;  // nodes read, aliases counted each time they are reached

std::string excerpt(std::string_view text) {
  constexpr size_t kMax = 40;
  return "'" + std::string(text.substr(0, kMax)) + (text.size() > kMax ? "...'" : "'");
}

std::string range_text(double min, double max) {
  auto number = [](double x) {
    std::string s = std::to_string(x);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  };
  return "allowed: " + number(min) + ".." + number(max);
}

// The scalar text of a field that must be a scalar, else a "got a list" error.
const std::string& scalar_of(const YamlReader& reader, const Field& field,
                             std::string_view expected) {
  if (!field.node.IsScalar())
    reader.fail(field, field.path + ": expected " + std::string(expected) + ", got " +
                           describe_value(field.node));
  return field.node.Scalar();
}

}  // namespace

SourceLocation YamlReader::at(const YAML::Node& node, const SourceLocation& fallback) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0 || node.IsNull())
    return fallback.file.empty() ? SourceLocation{file_, 1, 1} : fallback;
  return SourceLocation{file_, mark.line + 1, mark.column + 1};
}

void YamlReader::fail(const SourceLocation& where, std::string problem, std::string allowed) const {
  throw ScenarioError(where, std::move(problem), std::move(allowed));
}

void YamlReader::visit(const Field& field, int depth) const {
  if (depth > kMaxScenarioNesting)
    fail(field,
         field.path + ": nested deeper than " + std::to_string(kMaxScenarioNesting) +
             " levels (an alias that contains itself?)",
         "scenarios nest a few levels");
  if (++visits_ > kMaxVisits)
    fail(field,
         field.path + ": the file expands to more than " + std::to_string(kMaxVisits) +
             " values (aliases repeated many times?)",
         "write the values out, or reuse them less");
}

std::vector<Entry> read_open_mapping(const YamlReader& reader, const Field& field) {
  if (!field.node.IsMap())
    reader.fail(
        field, field.path + ": expected a mapping (key: value), got " + describe_value(field.node));
  std::vector<Entry> entries;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    const SourceLocation key_at = reader.at(it->first, field.where);
    if (!it->first.IsScalar())
      reader.fail(key_at, (field.path.empty() ? "top level" : field.path) +
                              ": keys must be plain strings, got " + describe_value(it->first));
    const std::string& key = it->first.Scalar();
    if (const Entry* first = find_entry(entries, key))
      reader.fail(key_at,
                  (field.path.empty() ? "top level" : field.path) + ": duplicate key '" + key +
                      "' (first at line " + std::to_string(first->key_at.line) + ")",
                  "each key once");
    const std::string path = field.path.empty() ? key : field.path + "." + key;
    entries.push_back(Entry{key, key_at, Field{it->second, reader.at(it->second, key_at), path}});
  }
  return entries;
}

std::vector<Entry> read_mapping(const YamlReader& reader, const Field& field,
                                const std::vector<std::string_view>& allowed) {
  std::vector<Entry> entries = read_open_mapping(reader, field);
  for (const Entry& entry : entries) {
    if (std::find(allowed.begin(), allowed.end(), entry.key) != allowed.end()) continue;
    const std::string where = field.path.empty() ? "at the top level" : "in " + field.path;
    reader.fail(entry.key_at,
                "unknown key '" + entry.key + "' " + where + did_you_mean(entry.key, allowed),
                "allowed keys: " + join(allowed));
  }
  return entries;
}

const Entry* find_entry(const std::vector<Entry>& entries, std::string_view key) {
  for (const Entry& entry : entries)
    if (entry.key == key) return &entry;
  return nullptr;
}

Field element(const YamlReader& reader, const Field& parent, const YAML::Node& node,
              std::string_view suffix) {
  return Field{node, reader.at(node, parent.where), parent.path + std::string(suffix)};
}

std::vector<Field> read_sequence(const YamlReader& reader, const Field& field) {
  if (!field.node.IsSequence())
    reader.fail(field, field.path + ": expected a list, got " + describe_value(field.node));
  std::vector<Field> out;
  size_t index = 0;
  for (const YAML::Node& node : field.node)
    out.push_back(element(reader, field, node, "[" + std::to_string(index++) + "]"));
  return out;
}

std::string describe_value(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return excerpt(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

std::string read_string(const YamlReader& reader, const Field& field) {
  return scalar_of(reader, field, "a string");
}

int64_t read_integer(const YamlReader& reader, const Field& field, int64_t min, int64_t max) {
  const std::string& text = scalar_of(reader, field, "an integer");
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range)
    reader.fail(field, field.path + ": " + excerpt(text) + " is out of range",
                range_text(min, max));
  if (error != std::errc() || end != text.data() + text.size())
    reader.fail(field, field.path + ": expected an integer, got " + excerpt(text),
                range_text(min, max));
  if (value < min || value > max)
    reader.fail(field, field.path + ": " + text + " is out of range", range_text(min, max));
  return value;
}

double read_number(const YamlReader& reader, const Field& field, double min, double max) {
  const std::string& text = scalar_of(reader, field, "a number");
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    reader.fail(field, field.path + ": expected a number, got " + excerpt(text),
                range_text(min, max));
  if (value < min || value > max)
    reader.fail(field, field.path + ": " + text + " is out of range", range_text(min, max));
  return value;
}

bool read_bool(const YamlReader& reader, const Field& field) {
  const std::string& text = scalar_of(reader, field, "true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  reader.fail(field, field.path + ": expected true or false, got " + excerpt(text),
              "allowed: true, false");
}

Millis read_duration(const YamlReader& reader, const Field& field, Millis min, Millis max) {
  const std::string& text = scalar_of(reader, field, "a duration");
  Millis value{};
  try {
    value = parse_duration(text);
  } catch (const UnitError& e) {
    reader.fail(field, field.path + ": " + e.what());
  }
  if (value < min || value > max)
    reader.fail(field, field.path + ": " + text + " is out of range",
                "allowed: " + format_duration(min) + ".." + format_duration(max));
  return value;
}

void check_template(const YamlReader& reader, const Field& field, std::string_view text,
                    const VariableScope& scope) {
  std::vector<std::string> names;
  try {
    names = referenced_variables(text);
  } catch (const VariableError& e) {
    reader.fail(field, field.path + ": " + e.what());
  }
  for (const std::string& name : names) {
    if (scope.defined.count(name)) continue;
    const std::string problem = field.path + ": undefined variable '${" + name + "}'";
    if (const auto saved = scope.saved_later.find(name); saved != scope.saved_later.end()) {
      const std::string line = std::to_string(saved->second.line);
      if (saved->second.line > field.where.line)
        reader.fail(field, problem + " (saved only by a later step, line " + line + ")",
                    "a step may use variables saved by earlier steps");
      reader.fail(field, problem + " (saved inside a parallel block, line " + line + ")",
                  "variables saved inside parallel: stay inside it");
    }
    std::vector<std::string_view> defined(scope.defined.begin(), scope.defined.end());
    reader.fail(field, problem + did_you_mean(name, defined), "defined here: " + join(defined));
  }
}

std::string read_template(const YamlReader& reader, const Field& field,
                          const VariableScope& scope) {
  std::string text = read_string(reader, field);
  check_template(reader, field, text, scope);
  return text;
}

std::vector<std::string> read_template_list(const YamlReader& reader, const Field& field,
                                            const VariableScope& scope, bool required_non_empty) {
  std::vector<std::string> out;
  for (const Field& item : read_sequence(reader, field))
    out.push_back(read_template(reader, item, scope));
  if (required_non_empty && out.empty())
    reader.fail(field, field.path + ": must not be empty",
                "a list of strings, e.g. [prog, --flag]");
  return out;
}

std::map<std::string, std::string> read_template_map(const YamlReader& reader, const Field& field,
                                                     const VariableScope& scope) {
  std::map<std::string, std::string> out;
  for (const Entry& entry : read_open_mapping(reader, field))
    out[entry.key] = read_template(reader, entry.value, scope);
  return out;
}

}  // namespace leakgate::detail
