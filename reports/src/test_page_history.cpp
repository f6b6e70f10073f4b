// "Change since": this run's figures against the previous run and the baseline run,
// from result["history"] as filled by publish_test_result.
#include <vector>

#include "json_access.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"
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

// "was 1, +40 (new)" with the change colored: more of a resource is worse.
std::string change_cell(std::optional<double> now, std::optional<double> before, Unit unit) {
  if (!before) return "<td class=\"num muted\">—</td>";
  std::string html = "<td class=\"num\">" + escape_html(format_quantity(before, unit));
  if (now) {
    const double delta = *now - *before;
    const char* tone = delta > 0 ? "worse" : delta < 0 ? "better" : "same";
    html += " <span class=\"delta " + std::string(tone) + "\">" +
            escape_html(format_signed_quantity(delta, unit));
    if (const std::string percent = format_percent_change(before, now);
        delta != 0 && !percent.empty()) {
      html += " (" + escape_html(percent) + ")";
    }
    html += "</span>";
  }
  return html + "</td>";
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
  int unchanged = 0;
  for (const auto& [name, metric] : detail::object_or_empty(metrics).items()) {
    const Unit unit = unit_of_metric(name, metric);
    for (const char* figure : kComparedFigures) {
      const auto now = number_member(metric, figure);
      const auto before = number_member(member(member(previous, "metrics"), name), figure);
      const auto base = number_member(member(member(baseline, "metrics"), name), figure);
      if (!now && !before && !base) continue;
      if ((!before || before == now) && (!base || base == now)) {
        ++unchanged;
        continue;
      }
      rows += "<tr><th scope=\"row\"><code>" + escape_html(name) + "</code></th><td>" + figure +
              "</td><td class=\"num\">" + escape_html(format_quantity(now, unit)) + "</td>" +
              change_cell(now, before, unit) + change_cell(now, base, unit) + "</tr>\n";
    }
  }
  if (rows.empty()) {
    html += "<p>All " + std::to_string(unchanged) + " figures are unchanged.</p>\n";
  } else {
    html +=
        "<div class=\"scroll\"><table class=\"changes\"><thead><tr><th>metric</th><th>figure</th>"
        "<th class=\"num\">this run</th><th class=\"num\">previous run</th>"
        "<th class=\"num\">baseline run</th></tr></thead><tbody>\n" +
        rows + "</tbody></table></div>\n<p class=\"muted\">" + std::to_string(unchanged) +
        " other figures are unchanged.</p>\n";
  }
  return section("history", "Change since earlier runs", html);
}

}  // namespace leakgate::reports::detail
