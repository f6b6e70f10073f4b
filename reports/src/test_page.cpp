#include "leakgate/reports/test_page.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "page_layout.h"
#include "test_page_sections.h"

namespace leakgate::reports {
namespace detail {

std::string verdict_word(const std::string& verdict) {
  if (verdict == "pass") return "PASS";
  if (verdict == "fail") return "FAIL";
  return "ERROR";
}

namespace {

using nlohmann::json;

std::string verdict_class(const std::string& verdict) {
  return verdict == "pass" ? "pass" : verdict == "fail" ? "fail" : "error";
}

// The most frequent creation site of the violating kind, when the runner attributed it.
std::string creation_site_hint(const json& result, const std::string& metric) {
  const json& objects = member(member(result, "attribution"), "objects");
  const json& stacks = member(objects, metric);
  if (!stacks.is_array() || stacks.empty()) return {};
  const json* top = nullptr;
  for (const json& stack : stacks) {
    if (!top ||
        number_member(stack, "count").value_or(0) > number_member(*top, "count").value_or(0))
      top = &stack;
  }
  const std::string site = text_member(*top, "site");
  if (site.empty()) return {};
  return "<span class=\"cause\">" +
         escape_html(format_number(number_member(*top, "count").value_or(0))) +
         " still live were created at <code>" + escape_html(site) + "</code></span>";
}

// The summary line repeats the verdict word the banner already shows in its badge.
std::string summary_without_verdict(const json& result) {
  const std::string summary = text_member(result, "summary");
  for (const char* word : {"PASS ", "FAIL ", "ERROR "}) {
    if (summary.rfind(word, 0) == 0) return summary.substr(std::strlen(word));
  }
  return summary;
}

std::string error_description(const json& error) {
  std::string text = text_member(error, "what", "the run failed");
  if (const std::string step = text_member(error, "step"); !step.empty())
    text += " in step " + step;
  if (const auto iteration = number_member(error, "iteration")) {
    text += ", iteration " + format_number(*iteration);
  }
  if (const std::string signal = text_member(error, "signal"); !signal.empty()) {
    text += "; the daemon was killed by " + signal;
  } else if (const auto code = number_member(error, "exit_code")) {
    text += "; the daemon exited with code " + format_number(*code);
  }
  return text;
}

// One item per metric: what its figures did against each budget, in plain words, with the
// creation site of the leaked objects and the console lines.
std::string violation_items(const json& result, bool expected) {
  std::vector<std::pair<std::string, std::vector<const json*>>> by_metric;
  for (const json& violation : array_or_empty(member(result, "violations"))) {
    const bool listed_as_expected = member(violation, "expected") == true;
    if (listed_as_expected != expected) continue;
    const std::string metric = text_member(violation, "metric", "a metric");
    auto group = std::find_if(by_metric.begin(), by_metric.end(),
                              [&](const auto& entry) { return entry.first == metric; });
    if (group == by_metric.end()) group = by_metric.insert(by_metric.end(), {metric, {}});
    group->second.push_back(&violation);
  }
  std::string items;
  for (const auto& [metric, violations] : by_metric) {
    std::string sentence, console;
    for (std::size_t i = 0; i < violations.size(); ++i) {
      sentence += i == 0 ? " " : i + 1 == violations.size() ? " and " : ", ";
      sentence += describe_violation(result, *violations[i]);
      if (const std::string message = text_member(*violations[i], "message"); !message.empty()) {
        console += "<code class=\"console\">" + escape_html(message) + "</code>";
      }
    }
    items += "<li><strong><code>" + escape_html(metric) + "</code></strong>" +
             escape_html(sentence) + "." + creation_site_hint(result, metric) + console + "</li>\n";
  }
  return items;
}

}  // namespace

std::string render_verdict_banner(const json& result) {
  const std::string verdict = text_member(result, "verdict", "error");
  std::string html = "<div class=\"banner " + verdict_class(verdict) + "\" role=\"status\">\n";
  html += "<p class=\"verdict-line\"><span class=\"verdict-word\">" + verdict_word(verdict) +
          "</span> " + escape_html(summary_without_verdict(result)) + "</p>\n";
  if (const json& error = member(result, "error"); error.is_object()) {
    html += "<p class=\"error-what\">" + escape_html(error_description(error)) + "</p>\n";
    // What the console said: a readiness timeout names its kind, target and limit here.
    if (const std::string detail = text_member(error, "detail");
        !detail.empty() && detail != text_member(error, "what")) {
      html += "<p class=\"error-detail\"><code>" + escape_html(detail) + "</code></p>\n";
    }
  }
  // A run ended by SIGINT/SIGTERM is judged on what was measured: say so where it is judged.
  if (const std::string cut = text_member(member(result, "iterations"), "cut_short");
      !cut.empty()) {
    html += "<p class=\"cut-short\">" + escape_html(cut) + "</p>\n";
  }
  if (const std::string unexpected = violation_items(result, false); !unexpected.empty()) {
    html += "<p>Budgets exceeded:</p><ul class=\"violations\">\n" + unexpected + "</ul>\n";
  }
  if (const std::string expected = violation_items(result, true); !expected.empty()) {
    html +=
        "<p>Expected violations (listed in <code>expect_violations</code>), observed as "
        "required:</p><ul class=\"violations expected\">\n" +
        expected + "</ul>\n";
  }
  const json& missing = member(result, "missing_expected");
  if (missing.is_array() && !missing.empty()) {
    html += "<p>Expected to exceed its budget but stayed within it:</p><ul class=\"violations\">";
    for (const json& name : missing) {
      html += "<li><code>" + escape_html(name.is_string() ? name.get<std::string>() : name.dump()) +
              "</code></li>";
    }
    html += "</ul>\n";
  }
  html += "</div>\n";
  return html;
}

}  // namespace detail

namespace {

using detail::member;
using detail::number_member;
using detail::text_member;
using nlohmann::json;

// One fact in the header grid; skipped when empty.
void add_fact(std::string& html, const std::string& label, const std::string& value) {
  if (value.empty()) return;
  html += "<div><dt>" + escape_html(label) + "</dt><dd>" + escape_html(value) + "</dd></div>";
}

std::string render_header(const json& result) {
  const json& scenario = member(result, "scenario");
  std::string html = "<nav class=\"crumbs\"><a href=\"../index.html\">All tests</a></nav>\n";
  html += "<h1>" + escape_html(text_member(result, "test", "(unnamed test)")) + "</h1>\n";
  if (const std::string description = text_member(scenario, "description"); !description.empty()) {
    html += "<p class=\"lead\">" + escape_html(description) + "</p>\n";
  }
  html += "<dl class=\"facts\">";
  add_fact(html, "scenario file", text_member(scenario, "file"));
  add_fact(html, "started", text_member(result, "started_at"));
  if (const auto duration = number_member(result, "duration_s")) {
    add_fact(html, "duration", format_seconds(*duration));
  }
  const json& iterations = member(result, "iterations");
  if (iterations.is_object()) {
    add_fact(html, "iterations",
             format_quantity(number_member(iterations, "completed"), Unit::count) + " of " +
                 format_quantity(number_member(iterations, "measured"), Unit::count) +
                 " measured, " + format_quantity(number_member(iterations, "warmup"), Unit::count) +
                 " warm-up");
  }
  if (const auto hz = number_member(result, "sample_hz"))
    add_fact(html, "sampling", format_number(*hz) + " Hz");
  if (const auto code = number_member(result, "exit_code"))
    add_fact(html, "exit code", format_number(*code));
  html += "</dl>\n";
  return html;
}

}  // namespace

std::string render_test_page(const json& result) {
  const std::string test = text_member(result, "test", "(unnamed test)");
  const std::pair<const char*, std::string> sections[] = {
      {"history", detail::render_history_changes(result)},
      {"budgets", detail::render_budget_table(result)},
      {"timeline", detail::render_timeline_charts(result)},
      {"attribution", detail::render_attribution(result)},
      {"warnings", detail::render_warnings(result)},
      {"steps", detail::render_steps(result)},
      {"step-growth", detail::render_step_growth(result)},
      {"daemon", detail::render_daemon_output(result)},
      {"environment", detail::render_environment(result)}};
  std::string html =
      detail::page_head(detail::verdict_word(text_member(result, "verdict", "error")) + " " + test);
  html += render_header(result);
  html += "<ul class=\"toc\">";
  for (const auto& [id, body] : sections) {
    if (!body.empty()) html += std::string("<li><a href=\"#") + id + "\">" + id + "</a></li>";
  }
  html += "<li><a href=\"result.json\">result.json</a></li></ul>\n";
  html += detail::render_verdict_banner(result);
  for (const auto& [id, body] : sections) html += body;
  html += detail::page_foot();
  return html;
}

}  // namespace leakgate::reports
