// Typed, located reads from a yaml-cpp tree: every failure is a ScenarioError that names
// the field, what it held, and what it may hold.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/scenario.h"
#include "leakgate/scenario_parser.h"

namespace leakgate::detail {

// One value in the file: its node, where it is, and its path for messages ("daemon.command[0]").
struct Field {
  YAML::Node node;
  SourceLocation where;
  std::string path;
};

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // yaml-cpp marks are 0-based; null nodes may have none (then `fallback`).
  SourceLocation at(const YAML::Node& node, const SourceLocation& fallback = {}) const;
  [[noreturn]] void fail(const SourceLocation& where, std::string problem,
                         std::string allowed = {}) const;
  [[noreturn]] void fail(const Field& field, std::string problem, std::string allowed = {}) const {
    fail(field.where, std::move(problem), std::move(allowed));
  }

  // Counts a visited node against a budget: aliases can make a small file a huge (or cyclic)
  // tree, and every recursive reader calls this with its depth.
  void visit(const Field& field, int depth) const;

 private:
  std::string file_;
  mutable size_t visits_ = 0;
};

// A mapping's entries in file order, after checking that every key is a plain string in
// `allowed` (unknown: closest suggested) and none is repeated.
struct Entry {
  std::string key;
  SourceLocation key_at;
  Field value;
};
std::vector<Entry> read_mapping(const YamlReader& reader, const Field& field,
                                const std::vector<std::string_view>& allowed);
// Any string keys (for env, headers, args): checked for type and repeats only.
std::vector<Entry> read_open_mapping(const YamlReader& reader, const Field& field);
const Entry* find_entry(const std::vector<Entry>& entries, std::string_view key);
// The elements of a sequence, each with its own location and path "what[i]".
std::vector<Field> read_sequence(const YamlReader& reader, const Field& field);
Field element(const YamlReader& reader, const Field& parent, const YAML::Node& node,
              std::string_view suffix);

// "'abc'", "a list", "a mapping", "nothing": for "got ..." in messages.
std::string describe_value(const YAML::Node& node);

std::string read_string(const YamlReader& reader, const Field& field);
int64_t read_integer(const YamlReader& reader, const Field& field, int64_t min, int64_t max);
double read_number(const YamlReader& reader, const Field& field, double min, double max);
bool read_bool(const YamlReader& reader, const Field& field);
Millis read_duration(const YamlReader& reader, const Field& field, Millis min, Millis max);

// The variables a template may use, for "undefined variable" checks.
struct VariableScope {
  std::set<std::string> defined;
  std::map<std::string, SourceLocation> saved_later;  // saved by a later step: better message
};
// Checks that every ${NAME} in `text` (the value of `field`) is defined in `scope`.
void check_template(const YamlReader& reader, const Field& field, std::string_view text,
                    const VariableScope& scope);
// read_string + check_template.
std::string read_template(const YamlReader& reader, const Field& field, const VariableScope& scope);
// A list of templates (commands); `required_non_empty` rejects [].
std::vector<std::string> read_template_list(const YamlReader& reader, const Field& field,
                                            const VariableScope& scope, bool required_non_empty);
// A mapping of any keys to templates (env, headers).
std::map<std::string, std::string> read_template_map(const YamlReader& reader, const Field& field,
                                                     const VariableScope& scope);

}  // namespace leakgate::detail
