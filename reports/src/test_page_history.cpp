// "Change since": this run's figures against the previous run and the baseline run,
// from result["history"] as filled by publish_test_result. A figure that moved no more
// than its noise (noise.h: the spread of earlier runs, a floor per unit) is unchanged.
#include <algorithm>
#include <cmath>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
#include "leakgate/reports/noise.h"
#include "page_layout.h"
#include "test_page_sections.h"

namespace leakgate::reports::detail {
namespace {

using nlohmann::json;

constexpr const char* kComparedFigures[] = {"peak", "growth", "final", "at_exit"};

std::string describe_run(const json& run) {
  std::string text = "run " + text_member(run, "run_id", "?");
  if (const std::string commit = text_member(run, "git_commit"); !commit.empty()) {
    text += ", commit " + commit.substr(0, 12);
  }
  if (const std::string at = text_member(run, "recorded_at"); !at.empty()) text += ", " + at;
  if (const std::string verdict = text_member(run, "verdict"); !verdict.empty()) {
    text += ", " + verdict;
  }
  return text;
}

// "was 1, +40 (new)" with the change colored: more of a resource is worse; a move within
// the figure's noise is shown in the neutral tone, with the noise in the tooltip.
std::string change_cell(std::optional<double> now, std::optional<double> before, Unit unit,
                        double noise) {
  if (!before) return "<td class=\"num muted\">—</td>";
  std::string html = "<td class=\"num\">" + escape_html(format_quantity(before, unit));
  if (now) {
    const double delta = *now - *before;
    const Change change = classify_change(*now, *before, noise);
    html += " <span class=\"delta " + std::string(change_tone(change)) + "\"";
    if (delta != 0 && change == Change::unchanged) {
      html += " title=\"within the noise of ±" + escape_html(format_quantity(noise, unit)) + "\"";
    }
    html += ">" + escape_html(format_signed_quantity(delta, unit));
    if (const std::string percent = format_percent_change(before, now);
        delta != 0 && !percent.empty()) {
      html += " (" + escape_html(percent) + ")";
    }
    html += "</span>";
  }
  return html + "</td>";
}

bool changed(std::optional<double> now, std::optional<double> before, double noise) {
  if (!before) return false;
  if (!now) return true;  // a figure that disappeared is a change
  return classify_change(*now, *before, noise) != Change::unchanged;
}

}  // namespace

std::string render_history_changes(const json& result) {
  const json& history = member(result, "history");
  if (!history.is_object()) return {};
  const json& previous = member(history, "previous");
  const json& baseline = member(history, "baseline");
  std::string html = "<ul class=\"runs\">";
  html += "<li><strong>previous:</strong> " +
          escape_html(previous.is_object() ? describe_run(previous)
                                           : "no earlier run recorded for this test") +
          "</li>";
  html += "<li><strong>baseline:</strong> " +
          escape_html(baseline.is_object()
                          ? describe_run(baseline)
                          : "none set (leakgate baseline set [RUN]) or it lacks this test") +
          "</li></ul>\n";
  if (!previous.is_object() && !baseline.is_object()) {
    return section("history", "Change since earlier runs", html);
  }
  std::string rows;
  const json& metrics = member(result, "metrics");
  const json& spread = member(history, "spread");
  int unchanged = 0;
  for (const auto& [name, metric] : detail::object_or_empty(metrics).items()) {
    const Unit unit = unit_of_metric(name, metric);
    const json& earlier = member(member(previous, "metrics"), name);
    const json& base_metric = member(member(baseline, "metrics"), name);
    // The resource's level, for the relative floor of byte figures.
    double level = 0;
    for (const json* run : {&metric, &earlier, &base_metric}) {
      level = std::max(level, std::fabs(number_member(*run, "peak").value_or(0)));
    }
    for (const char* figure : kComparedFigures) {
      const auto now = number_member(metric, figure);
      const auto before = number_member(earlier, figure);
      const auto base = number_member(base_metric, figure);
      if (!now && !before && !base) continue;
      const double noise = noise_of(unit, level, number_member(member(spread, name), figure));
      if (!changed(now, before, noise) && !changed(now, base, noise)) {
        ++unchanged;
        continue;
      }
      rows += "<tr><th scope=\"row\"><code>" + escape_html(name) + "</code></th><td>" + figure +
              "</td><td class=\"num\">" + escape_html(format_quantity(now, unit)) + "</td>" +
              change_cell(now, before, unit, noise) + change_cell(now, base, unit, noise) +
              "</tr>\n";
    }
  }
  const std::string noise_note =
      " (the same, or within the spread of earlier runs; for bytes at least 1% of the level "
      "or 4 KiB)";
  if (rows.empty()) {
    html +=
        "<p>All " + std::to_string(unchanged) + " figures are unchanged" + noise_note + ".</p>\n";
  } else {
    html +=
        "<div class=\"scroll\"><table class=\"changes\"><thead><tr><th>metric</th><th>figure</th>"
        "<th class=\"num\">this run</th><th class=\"num\">previous run</th>"
        "<th class=\"num\">baseline run</th></tr></thead><tbody>\n" +
        rows + "</tbody></table></div>\n<p class=\"muted\">" + std::to_string(unchanged) +
        " other figures are unchanged" + noise_note + ".</p>\n";
  }
  return section("history", "Change since earlier runs", html);
}

}  // namespace leakgate::reports::detail
