// known_leaks: in a scenario, inline or in a shared file (docs/scenario-format.md).
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "input_guard.h"
#include "parser_parts.h"

namespace leakgate::detail {
namespace {

const std::vector<std::string_view> kKnownLeakKeys = {"metric", "site",  "per_iter",
                                                      "reason", "issue", "expires"};

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// "2027-01-31": a real calendar day, written YYYY-MM-DD (so dates compare as strings).
std::string read_date(const YamlReader& reader, const Field& field) {
  const std::string text = read_string(reader, field);
  bool ok = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    ok = ok && text.size() > i && std::isdigit(static_cast<unsigned char>(text[i]));
  if (ok) {
    const int year = std::stoi(text.substr(0, 4));
    const int month = std::stoi(text.substr(5, 2));
    const int day = std::stoi(text.substr(8, 2));
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    ok = month >= 1 && month <= 12 && day >= 1 &&
         day <= kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  }
  if (!ok)
    reader.fail(field, field.path + ": '" + text + "' is not a date",
                "YYYY-MM-DD, e.g. 2027-01-31 (the last day the known leak is allowed)");
  return text;
}

std::string read_required_text(const YamlReader& reader, const Field& field) {
  std::string text = read_string(reader, field);
  if (text.empty()) reader.fail(field, field.path + ": empty", "a non-empty text");
  return text;
}

KnownLeak read_known_leak(const YamlReader& reader, const Field& field,
                          const std::vector<std::string>& declared_kinds) {
  const auto entries = read_mapping(reader, field, kKnownLeakKeys);
  for (std::string_view key : kKnownLeakKeys)
    if (!find_entry(entries, key))
      reader.fail(field, field.path + ": missing '" + std::string(key) + "'",
                  "every known leak has metric, site, per_iter, reason, issue and expires");
  KnownLeak leak;
  leak.where = field.where;
  const Entry* metric = find_entry(entries, "metric");
  leak.metric = read_string(reader, metric->value);
  const MetricInfo info = [&] {
    try {
      return require_metric(reader, metric->value.where, leak.metric, declared_kinds, {});
    } catch (const ScenarioError& e) {  // the same message, naming the field
      throw ScenarioError(e.where(), metric->value.path + ": " + e.problem(), e.allowed());
    }
  }();
  leak.site = read_required_text(reader, find_entry(entries, "site")->value);
  const Field& per_iter = find_entry(entries, "per_iter")->value;
  leak.per_iter = read_limit(reader, per_iter, info);
  if (leak.per_iter == kBudgetOff)
    reader.fail(per_iter, per_iter.path + ": none is no bound", "the most growth per iteration");
  leak.reason = read_required_text(reader, find_entry(entries, "reason")->value);
  leak.issue = read_required_text(reader, find_entry(entries, "issue")->value);
  leak.expires = read_date(reader, find_entry(entries, "expires")->value);
  return leak;
}

std::vector<KnownLeak> read_list(const YamlReader& reader, const Field& field,
                                 const std::vector<std::string>& declared_kinds) {
  std::vector<KnownLeak> leaks;
  for (const Field& item : read_sequence(reader, field))
    leaks.push_back(read_known_leak(reader, item, declared_kinds));
  return leaks;
}

// The shared file `field` names, relative to the scenario's directory.
std::vector<KnownLeak> read_shared_file(const YamlReader& reader, const Field& field,
                                        const std::vector<std::string>& declared_kinds) {
  const std::string name = read_required_text(reader, field);
  std::filesystem::path path(name);
  if (path.is_relative()) path = std::filesystem::path(reader.file()).parent_path() / path;
  const std::string file = path.lexically_normal().string();
  std::ifstream in(file, std::ios::binary);
  if (!in)
    reader.fail(field, field.path + ": cannot open " + file + ": " + std::strerror(errno),
                "a YAML file of known leaks, relative to the scenario's directory");
  std::string text(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  check_scenario_text(text, file);
  const YamlReader shared(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    shared.fail(SourceLocation{file, e.mark.line + 1, e.mark.column + 1},
                "YAML syntax error: " + e.msg);
  }
  const Field top{root, SourceLocation{file, 1, 1}, ""};
  if (root.IsMap()) {
    const auto entries = read_mapping(shared, top, {"known_leaks"});
    if (const Entry* list = find_entry(entries, "known_leaks"))
      return read_list(shared, list->value, declared_kinds);
    return {};
  }
  if (!root.IsSequence())
    shared.fail(top, "the top level must be a list of known leaks, got " + describe_value(root),
                "- {metric: ..., site: ..., per_iter: ..., reason: ..., issue: ..., expires: ...}");
  return read_list(shared, Field{root, shared.at(root, top.where), "known_leaks"}, declared_kinds);
}

}  // namespace

std::vector<KnownLeak> read_known_leaks(const YamlReader& reader, const Field& field,
                                        const std::vector<std::string>& declared_kinds) {
  if (field.node.IsScalar()) return read_shared_file(reader, field, declared_kinds);
  return read_list(reader, field, declared_kinds);
}

}  // namespace leakgate::detail
