// metrics: [...], budgets: {...}, expect_violations: [...] — everything that names a metric.
#include <charconv>
#include <cmath>

#include "leakgate/metrics.h"
#include "leakgate/units.h"
#include "parser_parts.h"
#include "suggest.h"

namespace leakgate::detail {
namespace {

constexpr double kMaxCountLimit = 1e9;
constexpr double kMaxBytesLimit = 1024.0 * 1024 * 1024 * 1024;  // 1 TiB
constexpr double kMaxRegressPercent = 1000;

std::vector<std::string_view> budget_keys() {
  return std::vector<std::string_view>(std::begin(kBudgetKeys), std::end(kBudgetKeys));
}

std::string metric_help() {
  std::vector<std::string_view> resources = builtin_resources();
  for (std::string_view kind : known_counted_kinds()) resources.push_back(kind);
  return "metrics are daemon.<resource> or client.<resource>, resource one of: " + join(resources) +
         "; other counted kinds must be declared first: metrics: [kind]";
}

}  // namespace

// The metric `name`, or an error naming it (with ".key" when given: expect_violations).
MetricInfo require_metric(const YamlReader& reader, const SourceLocation& where,
                          const std::string& name, const std::vector<std::string>& declared_kinds,
                          std::string_view budget_key = {}) {
  if (auto info = find_metric(name, declared_kinds)) return *info;
  const std::string key_suffix = budget_key.empty() ? "" : "." + std::string(budget_key);
  const std::string suggestion = closest_metric(name, declared_kinds);
  reader.fail(where,
              "unknown metric '" + name + key_suffix + "'" +
                  (suggestion.empty() ? "" : " (did you mean '" + suggestion + key_suffix + "'?)"),
              metric_help());
}

// "10%" -> 0.10.
double read_percentage(const YamlReader& reader, const Field& field) {
  const std::string text = read_string(reader, field);
  double percent = -1;
  const char* end = text.data() + text.size();
  const auto parsed = std::from_chars(text.data(), end - 1, percent);
  const bool well_formed =
      text.size() >= 2 && text.back() == '%' && parsed.ec == std::errc() && parsed.ptr == end - 1;
  if (!well_formed || percent < 0 || percent > kMaxRegressPercent)
    reader.fail(field, field.path + ": expected a percentage, got '" + text + "'",
                "e.g. \"10%\" (peak may exceed the history baseline by this much), 0%..1000%");
  return percent / 100;
}

double read_limit(const YamlReader& reader, const Field& field, const MetricInfo& metric) {
  if (field.node.IsScalar() && field.node.Scalar() == "none") return kBudgetOff;
  if (metric.unit == MetricUnit::kCount) {
    if (field.node.IsScalar() && !field.node.Scalar().empty() && field.node.Scalar()[0] == '-')
      reader.fail(field, field.path + ": negative limit " + field.node.Scalar(),
                  "limits are >= 0 (or none to turn the default off)");
    return read_number(reader, field, 0, kMaxCountLimit);
  }
  const std::string text = read_string(reader, field);
  double bytes = 0;
  try {
    bytes = static_cast<double>(parse_size(text));
  } catch (const UnitError& e) {
    reader.fail(field, field.path + ": " + e.what());
  }
  if (bytes > kMaxBytesLimit)
    reader.fail(field, field.path + ": " + text + " is absurdly large", "at most 1024GiB");
  return bytes;
}

namespace {

Budget read_budget(const YamlReader& reader, const Field& field, const MetricInfo& metric) {
  Budget budget;
  for (const Entry& entry : read_mapping(reader, field, budget_keys())) {
    const bool automatic = entry.key == "per_iter" && entry.value.node.IsScalar() &&
                           entry.value.node.Scalar() == "auto";
    const double value = automatic                ? kBudgetAuto
                         : entry.key == "regress" ? read_percentage(reader, entry.value)
                                                  : read_limit(reader, entry.value, metric);
    budget.*budget_member(entry.key) = value;
  }
  return budget;
}

}  // namespace

std::vector<std::string> read_declared_kinds(const YamlReader& reader, const Field& field) {
  std::vector<std::string> kinds;
  for (const Field& item : read_sequence(reader, field)) {
    std::string kind = read_string(reader, item);
    if (!is_valid_kind_name(kind))
      reader.fail(item, item.path + ": '" + kind + "' cannot name a counted kind",
                  "[a-z][a-z0-9_]*, not a built-in resource (fds, rss, heap, ...)");
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end())
      reader.fail(item, item.path + ": '" + kind + "' is declared twice", "each kind once");
    kinds.push_back(std::move(kind));
  }
  return kinds;
}

std::map<std::string, Budget> read_budgets(const YamlReader& reader, const Field& field,
                                           const std::vector<std::string>& declared_kinds) {
  std::map<std::string, Budget> budgets;
  for (const Entry& entry : read_open_mapping(reader, field)) {
    const MetricInfo metric = require_metric(reader, entry.key_at, entry.key, declared_kinds);
    Budget budget = read_budget(reader, entry.value, metric);
    budget.where = entry.key_at;
    budgets[entry.key] = std::move(budget);
  }
  return budgets;
}

std::vector<std::string> read_expect_violations(const YamlReader& reader, const Field& field,
                                                const std::vector<std::string>& declared_kinds) {
  std::vector<std::string> expected;
  for (const Field& item : read_sequence(reader, field)) {
    std::string name = read_string(reader, item);
    const size_t dot = name.rfind('.');
    const std::string_view key =
        dot == std::string::npos ? "" : std::string_view(name).substr(dot + 1);
    const std::string prefix = name.substr(0, dot == std::string::npos ? 0 : dot);
    const bool is_keyed = budget_member(key) && find_metric(prefix, declared_kinds);
    if (!is_keyed && !find_metric(name, declared_kinds)) {
      // "daemon.engines.grwth": a good metric with a bad key deserves the key's suggestion.
      if (find_metric(prefix, declared_kinds))
        reader.fail(item,
                    item.path + ": unknown budget key '" + std::string(key) + "' in '" + name +
                        "'" + did_you_mean(key, budget_keys()),
                    "metric.key with key one of: " + join(budget_keys()) + ", or a bare metric");
      // "daemon.engine.growth": suggest for the metric part, keeping the good key.
      if (budget_member(key)) require_metric(reader, item.where, prefix, declared_kinds, key);
      require_metric(reader, item.where, name, declared_kinds);
    }
    if (std::find(expected.begin(), expected.end(), name) != expected.end())
      reader.fail(item, item.path + ": '" + name + "' is listed twice", "each budget once");
    expected.push_back(std::move(name));
  }
  return expected;
}

}  // namespace leakgate::detail
