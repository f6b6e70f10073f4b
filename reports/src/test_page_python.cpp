// The Python part of a test page's attribution: the types whose live objects grew, each with
// where it was made (leakgate's Python agent, daemon: {python: true}).
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "test_page_sections.h"

namespace leakgate::reports::detail {
namespace {

using nlohmann::json;

constexpr const char* kJudgedPrefix = "daemon.py.";       // the daemon's own, well-known types
constexpr const char* kReportedPrefix = "daemon.pylib.";  // library and builtin types
constexpr const char* kHeapMetric = "daemon.py.heap";
constexpr std::size_t kMostRows = 30;

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

struct GrownType {
  std::string metric;
  const json* figures;
  double growth;
};

// Violated first, then the judged ones, then by how much they grew.
std::tuple<int, int, double, std::string> row_order(const GrownType& type) {
  const std::string verdict = text_member(*type.figures, "verdict");
  const int violated = verdict == "fail" || verdict == "expected-fail" ? 0 : 1;
  return {violated, starts_with(type.metric, kJudgedPrefix) ? 0 : 1, -type.growth, type.metric};
}

std::vector<GrownType> grown_types(const json& result) {
  std::vector<GrownType> grown;
  for (const auto& [metric, figures] : object_or_empty(member(result, "metrics")).items()) {
    const bool python = starts_with(metric, kJudgedPrefix) || starts_with(metric, kReportedPrefix);
    if (!python || metric == kHeapMetric) continue;
    const double growth = number_member(figures, "final").value_or(0) -
                          number_member(figures, "baseline").value_or(0);
    if (growth > 0) grown.push_back({metric, &figures, growth});
  }
  std::sort(grown.begin(), grown.end(),
            [](const GrownType& a, const GrownType& b) { return row_order(a) < row_order(b); });
  return grown;
}

std::string judged_words(const GrownType& type) {
  const std::string verdict = text_member(*type.figures, "verdict");
  if (verdict == "fail") return "over budget";
  if (verdict == "expected-fail") return "over budget (expected)";
  return starts_with(type.metric, kJudgedPrefix) ? "within budget" : "reported";
}

// The most frequent site, then every group's frames behind a disclosure.
std::string sites_cell(const json& groups) {
  if (!groups.is_array() || groups.empty()) {
    return "<td class=\"muted\">not sampled (builtin containers are judged by bytes)</td>";
  }
  std::string html = "<td><code>" + escape_html(text_member(groups[0], "site", "(unknown site)")) +
                     "</code><details><summary>" + std::to_string(groups.size()) +
                     (groups.size() == 1 ? " site" : " sites") + "</summary><ol class=\"frames\">";
  for (const json& group : groups) {
    html += "<li>" + escape_html(format_quantity(number_member(group, "count"), Unit::count)) +
            " live at";
    for (const json& frame : array_or_empty(member(group, "frames"))) {
      html += "<br><code>" +
              escape_html(frame.is_string() ? frame.get<std::string>() : frame.dump()) + "</code>";
    }
    html += "</li>";
  }
  return html + "</ol></details></td>";
}

}  // namespace

bool is_python_type_metric(const std::string& metric) {
  return metric != kHeapMetric &&
         (starts_with(metric, kJudgedPrefix) || starts_with(metric, kReportedPrefix));
}

std::string render_python_objects(const json& result) {
  const std::vector<GrownType> grown = grown_types(result);
  if (grown.empty()) return {};
  const json& objects = member(member(result, "attribution"), "objects");
  std::string html =
      "<h3>Python objects that grew</h3>\n<p class=\"muted\">Live objects per type after a full "
      "collection, counted by leakgate's Python agent. <code>daemon.py.*</code> (the daemon's "
      "own types and well-known resources) are judged; <code>daemon.pylib.*</code> are "
      "reported: a leaked object drags its library's types along. Where made: tracemalloc's "
      "traceback of a sample of the live objects, the daemon's own frames first.</p>\n"
      "<table class=\"python-types\"><thead><tr><th>type</th><th class=\"num\">baseline</th>"
      "<th class=\"num\">final</th><th class=\"num\">per iteration</th><th>judged</th>"
      "<th>made at</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < grown.size() && i < kMostRows; ++i) {
    const GrownType& type = grown[i];
    const json& figures = *type.figures;
    html += "<tr><td><code>" + escape_html(type.metric) + "</code></td>" +
            cell(format_quantity(number_member(figures, "baseline"), Unit::count)) +
            cell(format_quantity(number_member(figures, "final"), Unit::count)) +
            cell(format_signed_quantity(number_member(figures, "per_iter"), Unit::count)) +
            cell(judged_words(type), "") + sites_cell(member(objects, type.metric)) + "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (grown.size() > kMostRows) {
    html += "<p class=\"muted\">… and " + std::to_string(grown.size() - kMostRows) +
            " more types grew (result.json: <code>metrics</code>, "
            "<code>attribution.objects</code>).</p>\n";
  }
  return html;
}

}  // namespace leakgate::reports::detail
