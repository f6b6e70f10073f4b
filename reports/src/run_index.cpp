#include "leakgate/reports/run_index.h"

#include <algorithm>
#include <set>

#include "clock.h"
#include "embedded_assets.h"
#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "leakgate/reports/svg_chart.h"
#include "page_layout.h"

namespace leakgate::reports {
namespace {

using detail::member;
using detail::number_member;
using detail::text_member;
using nlohmann::json;

int verdict_rank(const json& result) {
  const std::string verdict = text_member(result, "verdict", "error");
  return verdict == "error" ? 0 : verdict == "fail" ? 1 : 2;
}

// A figure cell: shown formatted, sorted by its raw value.
std::string figure_cell(const json& result, const std::string& metric, const char* figure,
                        bool is_change) {
  const json& entry = member(member(result, "metrics"), metric);
  const auto value = number_member(entry, figure);
  const Unit unit = unit_of_metric(metric, entry);
  const std::string text =
      is_change ? format_signed_quantity(value, unit) : format_quantity(value, unit);
  return "<td class=\"num\" data-value=\"" + (value ? format_number(*value) : std::string()) +
         "\">" + escape_html(text) + "</td>";
}

// "daemon.engines: peak, growth, at_exit", one line per metric; expected violations of a
// regression scenario only counted, since they are what makes it pass.
std::string violated_budgets(const json& result) {
  std::vector<std::pair<std::string, std::string>> by_metric;  // metric -> keys
  int expected = 0;
  for (const json& violation : detail::array_or_empty(member(result, "violations"))) {
    if (member(violation, "expected") == true) {
      ++expected;
      continue;
    }
    const std::string metric = text_member(violation, "metric");
    auto group = std::find_if(by_metric.begin(), by_metric.end(),
                              [&](const auto& entry) { return entry.first == metric; });
    if (group == by_metric.end()) group = by_metric.insert(by_metric.end(), {metric, ""});
    group->second += (group->second.empty() ? "" : ", ") + text_member(violation, "key");
  }
  std::string html;
  for (const auto& [metric, keys] : by_metric) {
    html +=
        "<code class=\"violated-metric violated\">" + escape_html(metric + ": " + keys) + "</code>";
  }
  if (expected > 0) {
    html += "<span class=\"violated-metric expected\">" + std::to_string(expected) +
            " expected, as required</span>";
  }
  const json& error = member(result, "error");
  if (error.is_object()) {
    html += "<span class=\"error-what\">" + escape_html(text_member(error, "what")) + "</span>";
  }
  return html;
}

std::string sparkline_for(const json& result) {
  const json& timeline = member(result, "timeline");
  const json& series = member(timeline, "series");
  if (!series.is_object() || series.empty()) return {};
  std::string name = series.contains("daemon.rss")    ? "daemon.rss"
                     : series.contains("daemon.heap") ? "daemon.heap"
                                                      : series.begin().key();
  std::vector<double> times;
  std::vector<std::optional<double>> values;
  const json& t_s = member(timeline, "t_s");
  const json& samples = series[name];
  for (std::size_t i = 0;
       t_s.is_array() && samples.is_array() && i < t_s.size() && i < samples.size(); ++i) {
    if (!t_s[i].is_number()) continue;
    times.push_back(t_s[i].get<double>());
    values.push_back(detail::as_number(samples[i]));
  }
  return render_sparkline_svg(times, values, name + " over the run");
}

std::string index_row(const json& result) {
  const std::string test = text_member(result, "test", "(unnamed)");
  const std::string verdict = text_member(result, "verdict", "error");
  const std::string href = safe_relative_href(test + "/index.html");
  std::string row =
      "<tr data-verdict=\"" + escape_html(verdict) + "\" data-test=\"" + escape_html(test) + "\">";
  row += "<td data-value=\"" + std::to_string(verdict_rank(result)) + "\"><span class=\"pill " +
         (verdict == "pass"   ? "pass"
          : verdict == "fail" ? "fail"
                              : "error") +
         "\">" + escape_html(verdict) + "</span></td>";
  row +=
      "<td class=\"test\" data-value=\"" + escape_html(test) + "\">" +
      (href.empty() ? escape_html(test) : "<a href=\"" + href + "\">" + escape_html(test) + "</a>");
  row += "</td>";
  const auto duration = number_member(result, "duration_s");
  row += "<td class=\"num\" data-value=\"" + (duration ? format_number(*duration) : "") + "\">" +
         (duration ? escape_html(format_seconds(*duration)) : "—") + "</td>";
  row += figure_cell(result, "daemon.rss", "peak", false);
  row += figure_cell(result, "daemon.heap", "growth", true);
  row += figure_cell(result, "daemon.fds", "growth", true);
  row += "<td>" + violated_budgets(result) + "</td>";
  row += "<td class=\"spark\">" + sparkline_for(result) + "</td></tr>\n";
  return row;
}

std::string distinct_values(const std::vector<json>& results, const char* object, const char* key) {
  std::set<std::string> values;
  for (const json& result : results) {
    if (std::string value = text_member(member(result, object), key); !value.empty())
      values.insert(value);
  }
  std::string text;
  for (const std::string& value : values) text += (text.empty() ? "" : ", ") + value;
  return text;
}

}  // namespace

void sort_failures_first(std::vector<json>& results) {
  std::stable_sort(results.begin(), results.end(), [](const json& a, const json& b) {
    const int rank_a = verdict_rank(a), rank_b = verdict_rank(b);
    if (rank_a != rank_b) return rank_a < rank_b;
    return text_member(a, "test") < text_member(b, "test");
  });
}

std::string render_index(const std::vector<json>& unsorted_results) {
  std::vector<json> results = unsorted_results;
  sort_failures_first(results);
  int passed = 0, failed = 0, errors = 0;
  for (const json& result : results) {
    const int rank = verdict_rank(result);
    (rank == 2 ? passed : rank == 1 ? failed : errors)++;
  }
  std::string html = detail::page_head("leakgate: " + std::to_string(failed + errors) + " of " +
                                       std::to_string(results.size()) + " tests failing");
  // Counts are colored only when they are not zero.
  auto count = [](int number, const char* words, const char* css) {
    return std::string("<strong class=\"") + (number > 0 ? css : "") + "\">" +
           std::to_string(number) + " " + words + "</strong>";
  };
  html += "<h1>leakgate report</h1>\n<p class=\"lead\">" + std::to_string(results.size()) +
          " tests: " + count(failed, "failed", "fail-text") + ", " +
          count(errors, "errors", "fail-text") + ", " + count(passed, "passed", "pass-text") +
          "</p>\n<dl class=\"facts\">";
  if (const std::string runs = distinct_values(results, "history", "run_id"); !runs.empty()) {
    html += "<div><dt>run</dt><dd>" + escape_html(runs) + "</dd></div>";
  }
  if (const std::string commits = distinct_values(results, "environment", "git_commit");
      !commits.empty()) {
    html += "<div><dt>commit</dt><dd>" + escape_html(commits) + "</dd></div>";
  }
  // The leakgate that judged them, beside the project's commit (issue 26).
  const std::string leakgate_commits = distinct_values(results, "environment", "leakgate_commit");
  html += "<div><dt>leakgate</dt><dd>" LEAKGATE_VERSION +
          (leakgate_commits.empty() ? "" : " (" + escape_html(leakgate_commits) + ")") +
          "</dd></div>";
  html += "<div><dt>generated</dt><dd>" + detail::utc_now_iso8601() +
          "</dd></div>"
          "<div><dt>data</dt><dd><a href=\"results.json\">results.json</a></dd></div></dl>\n";
  html +=
      "<div class=\"controls js-only\"><input id=\"filter\" type=\"search\" "
      "placeholder=\"Filter by test or budget…\" aria-label=\"Filter tests\"/> "
      "<select id=\"verdict-filter\" aria-label=\"Verdict\"><option value=\"\">all "
      "verdicts</option>"
      "<option value=\"failing\">failing</option><option value=\"pass\">passing</option></select> "
      "<span id=\"shown-count\" class=\"muted\"></span></div>\n";
  html +=
      "<div class=\"scroll\"><table id=\"tests\" class=\"index\"><thead><tr>"
      "<th data-sort=\"number\">verdict</th><th data-sort=\"text\">test</th>"
      "<th class=\"num\" data-sort=\"number\">duration</th>"
      "<th class=\"num\" data-sort=\"number\">peak RSS</th>"
      "<th class=\"num\" data-sort=\"number\">heap growth</th>"
      "<th class=\"num\" data-sort=\"number\">fds growth</th>"
      "<th>budgets exceeded</th><th>trend</th></tr></thead>\n<tbody>\n";
  for (const json& result : results) html += index_row(result);
  html += "</tbody></table></div>\n";
  if (results.empty()) html += "<p class=\"muted\">No result.json files found.</p>\n";
  html += detail::page_foot(detail::asset_index_js());
  return html;
}

json make_results_json(const std::vector<json>& unsorted_results) {
  std::vector<json> results = unsorted_results;
  sort_failures_first(results);
  json tests = json::array();
  for (json& result : results) {
    if (result.is_object()) result.erase("timeline");
    tests.push_back(std::move(result));
  }
  return {{"schema", "leakgate.results/1"},
          {"generated_at", detail::utc_now_iso8601()},
          {"tests", std::move(tests)}};
}

}  // namespace leakgate::reports
