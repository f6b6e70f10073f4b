#include "leakgate/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "leakgate/metrics.h"
#include "leakgate/units.h"

namespace leakgate {
namespace {

// Counts print as integers when whole, else with up to two decimals: "41", "0.8", "0.33".
std::string format_count(double value) {
  char buffer[48];
  if (value == std::round(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string context(std::string_view metric, const MetricObservation& observation, bool with_peak) {
  std::vector<std::string> parts;
  if (observation.baseline)
    parts.push_back("baseline " + format_metric_value(metric, *observation.baseline));
  if (observation.final)
    parts.push_back("final " + format_metric_value(metric, *observation.final));
  if (with_peak && observation.peak)
    parts.push_back("peak " + format_metric_value(metric, *observation.peak));
  if (parts.empty()) return "";
  std::string text = " (";
  for (size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i];
  return text + ")";
}

std::string indented(std::string_view line) { return "     " + std::string(line) + "\n"; }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) text += (i ? std::string(separator) : "") + parts[i];
  return text;
}

// Not-judged entries grouped by metric, reason and explicitness, in their order.
std::vector<std::vector<NotJudged>> group_not_judged(const std::vector<NotJudged>& entries,
                                                     bool explicit_budgets) {
  std::vector<std::vector<NotJudged>> groups;
  for (const NotJudged& entry : entries) {
    if (entry.explicit_budget != explicit_budgets) continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return g.front().metric == entry.metric && g.front().reason == entry.reason;
    });
    if (group == groups.end())
      groups.push_back({entry});
    else
      group->push_back(entry);
  }
  return groups;
}

}  // namespace

std::string format_metric_value(std::string_view metric, double value, bool signed_value) {
  std::string text =
      metric_unit(metric) == MetricUnit::kBytes ? format_bytes(value) : format_count(value);
  return signed_value && value >= 0 ? "+" + text : text;
}

std::string format_violation(std::string_view metric, std::string_view key, double limit,
                             double observed, const MetricObservation& observation,
                             std::optional<double> regress, std::optional<double> history_peak) {
  const std::string head = std::string(metric) + " " + std::string(key) + " ";
  const auto value = [&](double x, bool signed_value = false) {
    return format_metric_value(metric, x, signed_value);
  };
  if (key == "growth")
    return head + value(observed, true) + " > " + value(limit) + context(metric, observation, true);
  if (key == "per_iter") return head + value(observed, true) + "/iter > " + value(limit) + "/iter";
  if (key == "peak")
    return head + value(observed) + " > " + value(limit) + context(metric, observation, false);
  if (key == "regress") {
    std::string text = head + "peak " + value(observed) + " > " + value(limit);
    if (history_peak && regress)
      text += " (history peak " + value(*history_peak) + " +" + format_count(*regress * 100) + "%)";
    return text;
  }
  return head + value(observed) + " > " + value(limit);  // at_exit
}

std::string format_confidence(std::string_view metric, const Trend& trend) {
  if (trend.collections > 0) {  // a sawtooth's troughs: too few points for an interval
    return "troughs after " + std::to_string(trend.collections) + " collections: " +
           format_metric_value(metric, trend.slope_lower, true) + ".." +
           format_metric_value(metric, trend.slope_upper, true);
  }
  char level[16];
  std::snprintf(level, sizeof level, "%.3g%%", kTrendConfidence * 100);
  char p_value[32];
  if (trend.p_value < 0.001)
    std::snprintf(p_value, sizeof p_value, "p<0.001");
  else
    std::snprintf(p_value, sizeof p_value, "p=%.2g", trend.p_value);
  return std::string(level) + " CI " + format_metric_value(metric, trend.slope_lower, true) + ".." +
         format_metric_value(metric, trend.slope_upper, true) + ", " + p_value;
}

std::string format_per_iter_violation(std::string_view metric, double limit, const Trend& trend,
                                      bool by_trend) {
  return std::string(metric) + " per_iter " + format_metric_value(metric, trend.slope, true) +
         "/iter (" + format_confidence(metric, trend) + ") > " +
         format_metric_value(metric, limit) + "/iter" +
         (trend.collections > 0 ? " (judged on what survives collection)"
          : by_trend            ? " (judged by the lower bound)"
                                : "");
}

std::string format_not_judged(const std::vector<NotJudged>& entries) {
  if (entries.empty()) return "";
  std::vector<std::string> keys;
  for (const NotJudged& entry : entries) keys.push_back(entry.key);
  return entries.front().metric + " " + join(keys, ", ") + " not judged: " + entries.front().reason;
}

std::string format_missing_expected(std::string_view expected) {
  return "expected violation not observed: " + std::string(expected);
}

std::string format_verdict(std::string_view test_name, const Evaluation& evaluation,
                           const std::vector<std::string>& attribution_lines,
                           const VerdictSources& sources) {
  // Unexpected violations, explicit budgets not judged, then missing expected violations.
  std::vector<std::string> problems;
  std::vector<std::string> expected;
  for (const Violation& violation : evaluation.violations)
    (violation.expected ? expected : problems).push_back(violation.message);
  for (const auto& group : group_not_judged(evaluation.not_judged, true))
    problems.push_back(format_not_judged(group));
  for (const std::string& missing : evaluation.missing_expected)
    problems.push_back(format_missing_expected(missing));
  const auto listed = group_not_judged(evaluation.not_judged, false);
  std::vector<std::string> listed_metrics;
  for (const auto& group : listed)
    if (std::find(listed_metrics.begin(), listed_metrics.end(), group.front().metric) ==
        listed_metrics.end())
      listed_metrics.push_back(group.front().metric);

  std::string text;
  if (evaluation.passed) {
    const std::string judged = std::to_string(evaluation.metrics_judged) +
                               (evaluation.metrics_judged == 1 ? " metric" : " metrics");
    std::string summary = expected.empty()
                              ? judged + " within budget"
                              : judged + " judged, " + std::to_string(expected.size()) +
                                    " expected violation" + (expected.size() == 1 ? "" : "s") +
                                    " observed";
    if (!sources.live.empty()) summary += "; sources: " + join(sources.live, ", ");
    if (listed.size() == 1) {
      summary += "; not judged: " + listed.front().front().metric + " (" +
                 listed.front().front().reason + ")";
    } else if (!listed_metrics.empty()) {
      summary += "; not judged: " + join(listed_metrics, ", ");
    }
    text = "PASS " + std::string(test_name) + " (" + summary + ")\n";
  } else {
    text =
        "FAIL " + std::string(test_name) + "  " + (problems.empty() ? "" : problems.front()) + "\n";
    for (size_t i = 1; i < problems.size(); ++i) text += indented(problems[i]);
    for (const std::string& line : attribution_lines) text += indented(line);
  }
  for (const std::string& message : expected) text += indented("expected: " + message);
  // A regression test passes because its leak was caught: say where the leak came from too.
  if (evaluation.passed)
    for (const std::string& line : attribution_lines) text += indented(line);
  if (!evaluation.passed && !sources.live.empty())
    text += indented("sources: " + join(sources.live, ", "));
  for (const std::string& source : sources.not_live) text += indented("no figures from " + source);
  if (!evaluation.passed || listed.size() > 1)
    for (const auto& group : listed) text += indented("default budget " + format_not_judged(group));
  return text;
}

}  // namespace leakgate
