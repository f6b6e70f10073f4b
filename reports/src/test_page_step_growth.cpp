// The "Growth by step" section of a test page (issue 19): each top-level step's mean change
// per iteration of the cheap figures, the violated metrics' shares by step, and the known
// leaks with their state.
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "page_layout.h"
#include "test_page_sections.h"

namespace leakgate::reports::detail {
namespace {

using nlohmann::json;

std::string td(const std::string& text, const std::string& css_class = "num") {
  return "<td class=\"" + css_class + "\">" + escape_html(text) + "</td>";
}

// metric -> step number -> share, for the metrics the verdict attributed to steps.
std::map<std::string, std::map<int, double>> shares_of(const json& result) {
  std::map<std::string, std::map<int, double>> shares;
  for (const json& attribution : array_or_empty(member(result, "step_attribution"))) {
    for (const json& share : array_or_empty(member(attribution, "shares"))) {
      const auto step = number_member(share, "step");
      const auto value = number_member(share, "share");
      if (step && value)
        shares[text_member(attribution, "metric")][static_cast<int>(*step)] = *value;
    }
  }
  return shares;
}

std::string growth_table(const json& result) {
  std::vector<const json*> steps;
  std::set<std::string> metrics;
  for (const json& step : array_or_empty(member(result, "steps"))) {
    const json& growth = member(step, "growth_per_iter");
    if (!growth.is_object()) continue;
    steps.push_back(&step);
    for (const auto& [metric, value] : growth.items()) metrics.insert(metric);
  }
  if (steps.empty() || metrics.empty()) return {};
  const auto shares = shares_of(result);
  std::string html =
      "<p>Mean change per measured iteration over each top-level step (the cheap figures, read "
      "after every step); a share is the step's part of a violated metric's growth.</p>\n"
      "<div class=\"scroll\"><table class=\"step-growth\"><thead><tr><th class=\"num\">step</th>"
      "<th>what</th>";
  for (const std::string& metric : metrics)
    html += "<th class=\"num\">" + escape_html(metric) + "</th>";
  html += "</tr></thead><tbody>\n";
  for (const json* step : steps) {
    const int number = static_cast<int>(number_member(*step, "step").value_or(0));
    html += "<tr>" + td(std::to_string(number)) + td(text_member(*step, "what"), "");
    for (const std::string& metric : metrics) {
      const json& growth = member(*step, "growth_per_iter");
      std::string text =
          format_signed_quantity(number_member(growth, metric), unit_of_metric(metric, json()));
      std::string css = "num";
      if (auto m = shares.find(metric); m != shares.end()) {
        if (auto s = m->second.find(number); s != m->second.end()) {
          text += " (" + format_number(std::round(s->second * 100)) + "%)";
          if (s->second >= 0.5) css = "num over";
        }
      }
      html += td(text, css);
    }
    html += "</tr>\n";
  }
  return html + "</tbody></table></div>\n";
}

std::string known_leaks_table(const json& result) {
  const json& known = member(result, "known_leaks");
  if (!known.is_array() || known.empty()) return {};
  std::string html =
      "<h3>Known leaks</h3>\n<table class=\"known-leaks\"><thead><tr><th>metric</th><th>site</th>"
      "<th>state</th><th>expires</th><th>reason</th></tr></thead><tbody>\n";
  for (const json& entry : known) {
    const std::string state = text_member(entry, "state");
    html += std::string("<tr") + (state == "within" ? "" : " class=\"failing\"") + ">" +
            td(text_member(entry, "metric"), "") + "<td><code>" +
            escape_html(text_member(entry, "site")) + "</code></td>" + td(state, "") +
            td(text_member(entry, "expires"), "") + "<td>" +
            escape_html(text_member(entry, "reason")) + " (" +
            escape_html(text_member(entry, "issue")) + ")<br><small>" +
            escape_html(text_member(entry, "message")) + "</small></td></tr>\n";
  }
  return html + "</tbody></table>\n";
}

}  // namespace

std::string render_step_growth(const json& result) {
  const std::string html = growth_table(result) + known_leaks_table(result);
  if (html.empty()) return {};
  return section("step-growth", "Growth by step", html);
}

}  // namespace leakgate::reports::detail
