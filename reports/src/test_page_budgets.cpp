// The budget table of a test page, and where its figures came from (sources, not judged).
#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "page_layout.h"
#include "test_page_sections.h"

namespace leakgate::reports::detail {
namespace {

using nlohmann::json;

Unit metric_unit(const json& result, const std::string& metric) {
  return unit_of_metric(metric, member(member(result, "metrics"), metric));
}

// The cell class of each figure that broke its budget, by "metric.key"; expected
// violations (regression scenarios) are marked apart from real ones.
using ViolatedFigures = std::map<std::string, std::string>;

ViolatedFigures violated_figures(const json& result) {
  ViolatedFigures figures;
  for (const json& violation : array_or_empty(member(result, "violations"))) {
    figures[text_member(violation, "metric") + "." + text_member(violation, "key")] =
        member(violation, "expected") == true ? "num over expected" : "num over";
  }
  return figures;
}

std::string figure_class(const ViolatedFigures& violated, const std::string& figure) {
  const auto found = violated.find(figure);
  return found == violated.end() ? "num" : found->second;
}

// Failing metrics first, then expected failures; daemon before client; then by name.
std::tuple<int, int, std::string> table_order(const std::string& name, const json& metric) {
  const std::string verdict = text_member(metric, "verdict");
  const int verdict_rank = verdict == "fail" ? 0 : verdict == "expected-fail" ? 1 : 2;
  return {verdict_rank, name.rfind("daemon.", 0) == 0 ? 0 : 1, name};
}

std::string budget_description(const json& budget, Unit unit) {
  static const std::vector<std::pair<const char*, const char*>> keys = {
      {"peak", "peak ≤ "},
      {"growth", "growth ≤ "},
      {"per_iter", "per iteration ≤ "},
      {"at_exit", "at exit ≤ "},
      {"regress", "vs baseline ≤ "}};
  std::string text;
  for (const auto& [key, words] : keys) {
    const json& limit = member(budget, key);
    if (limit.is_null()) continue;
    if (!text.empty()) text += "; ";
    text += words;
    text +=
        limit.is_number() ? format_quantity(limit.get<double>(), unit) : text_member(budget, key);
  }
  return text.empty() ? "none" : text;
}

std::string verdict_pill(const std::string& verdict) {
  const std::string css = verdict == "pass"            ? "pass"
                          : verdict == "expected-fail" ? "expected"
                                                       : "fail";  // fail, not-judged
  return "<span class=\"pill " + css + "\">" + escape_html(verdict.empty() ? "—" : verdict) +
         "</span>";
}

// How sure the per-iteration slope is (result.json per_iter_trend): "99.8% CI +0.98..+1.02,
// p<0.001"; empty for results written before the interval was recorded.
std::string per_iter_confidence(const json& trend, Unit unit) {
  const auto lower = number_member(trend, "slope_lower");
  const auto upper = number_member(trend, "slope_upper");
  const auto level = number_member(trend, "confidence");
  const auto p_value = number_member(trend, "p_value");
  if (!lower || !upper || !level || !p_value) return "";
  char head[32];
  std::snprintf(head, sizeof head, "%.3g%% CI ", *level * 100);
  char p[32];
  if (*p_value < 0.001)
    std::snprintf(p, sizeof p, ", p<0.001");
  else
    std::snprintf(p, sizeof p, ", p=%.2g", *p_value);
  return head + format_signed_quantity(lower, unit) + ".." + format_signed_quantity(upper, unit) +
         p;
}

std::string budget_row(const std::string& name, const json& metric,
                       const ViolatedFigures& violated) {
  const Unit unit = unit_of_metric(name, metric);
  const std::string verdict = text_member(metric, "verdict");
  auto figure = [&](const char* key, bool is_change) {
    const auto value = number_member(metric, key);
    const std::string text =
        is_change ? format_signed_quantity(value, unit) : format_quantity(value, unit);
    return cell(text, figure_class(violated, name + "." + key));
  };
  std::string per_iter = format_signed_quantity(number_member(metric, "per_iter"), unit);
  if (number_member(metric, "per_iter")) per_iter += "/iter";
  const std::string confidence = per_iter_confidence(member(metric, "per_iter_trend"), unit);
  std::string row = "<tr class=\"" + std::string(verdict == "fail" ? "failing" : "") + "\">";
  row += "<th scope=\"row\"><code>" + escape_html(name) + "</code></th>";
  row += figure("baseline", false) + figure("peak", false) + figure("final", false) +
         figure("growth", true);
  row += confidence.empty() ? cell(per_iter, figure_class(violated, name + ".per_iter"))
                            : "<td class=\"" + figure_class(violated, name + ".per_iter") + "\">" +
                                  escape_html(per_iter) + "<br><span class=\"muted\">" +
                                  escape_html(confidence) + "</span></td>";
  row += figure("at_exit", false);
  const json& budget = member(metric, "budget");
  row += "<td class=\"budget\">" + escape_html(budget_description(budget, unit));
  if (text_member(budget, "source") == "default") row += " <span class=\"muted\">(default)</span>";
  row += "</td><td>" + verdict_pill(verdict) + "</td></tr>\n";
  return row;
}

// Where the figures came from (result.json "sources") and the budgets that could not be
// judged ("not_judged"): an explicit one failed the test, a default one is listed.
std::string sources_html(const json& result) {
  std::string html;
  const json& sources = member(result, "sources");
  if (sources.is_array() && !sources.empty()) {
    html += "<h3>Sources</h3>\n<ul class=\"sources\">\n";
    for (const json& source : sources) {
      const bool live = member(source, "live") == true;
      html += "<li>" +
              std::string(live ? "<span class=\"pill pass\">live</span> "
                               : "<span class=\"pill fail\">no figures</span> ") +
              "<code>" + escape_html(text_member(source, "name")) + "</code>";
      if (!live) html += ": " + escape_html(text_member(source, "reason"));
      html += "</li>\n";
    }
    html += "</ul>\n";
  }
  const json& not_judged = member(result, "not_judged");
  if (not_judged.is_array() && !not_judged.empty()) {
    html +=
        "<h3>Budgets not judged</h3>\n<table class=\"not-judged\"><thead><tr><th>metric</th>"
        "<th>key</th><th>budget</th><th>why</th></tr></thead><tbody>\n";
    for (const json& entry : not_judged) {
      const bool is_explicit = member(entry, "explicit") == true;
      html += std::string("<tr class=\"") + (is_explicit ? "failing" : "") + "\"><td><code>" +
              escape_html(text_member(entry, "metric")) + "</code></td><td>" +
              escape_html(text_member(entry, "key")) + "</td><td>" +
              (is_explicit ? "<span class=\"pill fail\">scenario</span>"
                           : "<span class=\"muted\">default</span>") +
              "</td><td>" + escape_html(text_member(entry, "reason")) + "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  return html;
}

}  // namespace

std::string describe_violation(const json& result, const json& violation) {
  const std::string metric = text_member(violation, "metric");
  const std::string key = text_member(violation, "key");
  const Unit unit = metric_unit(result, metric);
  const std::string observed = format_quantity(number_member(violation, "observed"), unit);
  const std::string limit = format_quantity(number_member(violation, "limit"), unit);
  const json& figures = member(member(result, "metrics"), metric);
  if (key == "peak") return "peaked at " + observed + " (budget: at most " + limit + ")";
  if (key == "growth") {
    return "grew by " + format_signed_quantity(number_member(violation, "observed"), unit) +
           " from baseline " + format_quantity(number_member(figures, "baseline"), unit) +
           " to final " + format_quantity(number_member(figures, "final"), unit) +
           " (budget: " + limit + ")";
  }
  if (key == "per_iter") {
    return "grew by " + format_signed_quantity(number_member(violation, "observed"), unit) +
           " per measured iteration (budget: " + limit + ")";
  }
  if (key == "at_exit") {
    return "was still " + observed + " after the daemon stopped (budget: " + limit + ")";
  }
  if (key == "regress")
    return "regressed against the baseline run to " + observed + " (budget: " + limit + ")";
  return "had " + key + " " + observed + " (budget: " + limit + ")";
}

std::string render_budget_table(const json& result) {
  const json& metrics = member(result, "metrics");
  if (!metrics.is_object() || metrics.empty()) {
    return section("budgets", "Budgets", "<p class=\"muted\">No metrics were recorded.</p>\n");
  }
  const ViolatedFigures violated = violated_figures(result);
  std::vector<std::tuple<int, int, std::string>> order;
  for (const auto& [name, metric] : metrics.items()) order.push_back(table_order(name, metric));
  std::sort(order.begin(), order.end());
  std::string rows;
  for (const auto& [verdict_rank, side_rank, name] : order) {
    rows += budget_row(name, metrics[name], violated);
  }
  std::string html =
      "<p class=\"muted\">Baseline is taken after warm-up and settling, final after the measured "
      "iterations and settling, at exit after the daemon stopped. Growth = final − baseline; "
      "per iteration is the robust slope over the per-iteration checkpoints.</p>\n"
      "<div class=\"scroll\"><table class=\"budgets\"><thead><tr><th>metric</th>"
      "<th class=\"num\">baseline</th><th class=\"num\">peak</th><th class=\"num\">final</th>"
      "<th class=\"num\">growth</th><th class=\"num\">per iteration</th>"
      "<th class=\"num\">at exit</th><th>budget</th><th>verdict</th></tr></thead>\n<tbody>\n";
  html += rows + "</tbody></table></div>\n";
  html += sources_html(result);
  return section("budgets", "Budgets", html);
}

}  // namespace leakgate::reports::detail
