// Timeline charts of a test page: the sampled series grouped into memory, file
// descriptors, counted objects and threads, per side (daemon, client).
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

#include "json_access.h"
#include "leakgate/reports/html.h"
#include "leakgate/reports/svg_chart.h"
#include "page_layout.h"
#include "test_page_sections.h"

namespace leakgate::reports::detail {
namespace {

using nlohmann::json;

enum class ChartKind { memory, fds, objects, threads };

struct SeriesName {
  std::string side;      // "daemon", "client"
  std::string resource;  // "rss", "fds.socket", "engines"
};

SeriesName split_series_name(const std::string& name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos) return {"", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

ChartKind kind_of(const SeriesName& name, Unit unit) {
  if (unit == Unit::bytes) return ChartKind::memory;
  if (name.resource == "fds" || name.resource.rfind("fds.", 0) == 0) return ChartKind::fds;
  if (name.resource == "threads" || name.resource == "children") return ChartKind::threads;
  return ChartKind::objects;
}

std::string chart_title(const std::string& side, ChartKind kind) {
  std::string who = side.empty() ? "Process" : side;
  who[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(who[0])));
  switch (kind) {
    case ChartKind::memory:
      return who + " memory (RSS, heap)";
    case ChartKind::fds:
      return who + " file descriptors by type";
    case ChartKind::objects:
      return who + " counted objects";
    case ChartKind::threads:
      return who + " threads and child processes";
  }
  return who;
}

std::vector<std::optional<double>> series_values(const json& values, std::size_t length) {
  std::vector<std::optional<double>> result(length);
  if (!values.is_array()) return result;
  for (std::size_t i = 0; i < length && i < values.size(); ++i) result[i] = as_number(values[i]);
  return result;
}

std::vector<double> number_list(const json& values) {
  std::vector<double> numbers;
  if (!values.is_array()) return numbers;
  for (const json& value : values) {
    if (value.is_number()) numbers.push_back(value.get<double>());
  }
  return numbers;
}

// Budget lines of a metric that are levels: peak as is, growth as baseline + growth.
void add_budget_levels(TimeChart& chart, const std::string& name, const json& metric,
                       const std::string& color, Unit unit) {
  const json& budget = member(metric, "budget");
  auto add = [&](double value, const std::string& label) {
    for (ChartLevel& level : chart.levels) {
      if (level.value == value && level.color == color) {  // one line for coinciding budgets
        level.label += " · " + label;
        return;
      }
    }
    chart.levels.push_back({name + ": " + label, value, color});
  };
  if (const auto peak = number_member(budget, "peak"))
    add(*peak, "peak ≤ " + format_quantity(*peak, unit));
  const auto growth = number_member(budget, "growth");
  const auto baseline = number_member(metric, "baseline");
  if (growth && baseline) {
    add(*baseline + *growth, "final ≤ baseline + " + format_quantity(*growth, unit));
  }
}

// A series whose budgets may be drawn as lines.
struct BudgetOwner {
  std::string name;
  const json* metric;
  std::string color;
  Unit unit;
  bool important;  // a total among its parts, or over its budget
};
constexpr std::size_t kMaxBudgetOwnersDrawnAll = 3;

std::vector<ChartBand> phase_bands(const json& phases) {
  std::vector<ChartBand> bands;
  if (!phases.is_array()) return bands;
  for (const json& phase : phases) {
    const auto start = number_member(phase, "start_s");
    const auto end = number_member(phase, "end_s");
    if (start && end) bands.push_back({text_member(phase, "name", "phase"), *start, *end});
  }
  return bands;
}

std::string phase_legend(const std::vector<ChartBand>& bands) {
  std::vector<std::string> seen;
  std::string html = "<ul class=\"legend phases-legend\">";
  for (const ChartBand& band : bands) {
    if (std::find(seen.begin(), seen.end(), band.label) != seen.end()) continue;
    seen.push_back(band.label);
    html += "<li><span class=\"swatch phase " + phase_css_class(band.label) + "\"></span>" +
            escape_html(band.label) + "</li>";
  }
  return html + "</ul>\n";
}

}  // namespace

std::string render_timeline_charts(const json& result) {
  const json& timeline = member(result, "timeline");
  const std::vector<double> times = number_list(member(timeline, "t_s"));
  const json& series = member(timeline, "series");
  if (times.empty() || !series.is_object() || series.empty()) {
    return section("timeline", "Timeline", "<p class=\"muted\">No samples were recorded.</p>\n");
  }
  const json& metrics = member(result, "metrics");
  // Daemon before client; within a side memory, fds, objects, threads.
  std::map<std::pair<int, ChartKind>, TimeChart> charts;
  std::map<std::pair<int, ChartKind>, std::vector<BudgetOwner>> budget_owners;
  const std::vector<ChartBand> bands = phase_bands(member(result, "phases"));
  for (const auto& [name, values] : series.items()) {
    const SeriesName parts = split_series_name(name);
    const json& metric = member(metrics, name);
    const Unit unit = unit_of_metric(name, metric);
    const ChartKind kind = kind_of(parts, unit);
    const int side_order = parts.side == "daemon" ? 0 : parts.side == "client" ? 1 : 2;
    TimeChart& chart = charts[{side_order, kind}];
    if (chart.series.empty()) {
      chart.title = chart_title(parts.side, kind);
      chart.unit = unit;
      chart.t_s = times;
      chart.bands = bands;
      chart.tick_marks_s = number_list(member(result, "iteration_ticks_s"));
    }
    const std::string& color = chart_palette()[chart.series.size() % chart_palette().size()];
    // The total among its parts ("daemon.fds" among "daemon.fds.socket", …) is drawn bolder.
    const bool total_of_parts = kind == ChartKind::fds && parts.resource == "fds";
    chart.series.push_back({name, series_values(values, times.size()), color, total_of_parts});
    const bool judged_over = text_member(metric, "verdict", "pass") != "pass";
    budget_owners[{side_order, kind}].push_back(
        {name, &metric, color, unit, total_of_parts || judged_over});
  }
  // Many budget lines bury the data: beyond a few, draw only the totals' and the violated.
  for (auto& [key, owners] : budget_owners) {
    TimeChart& chart = charts[key];
    const bool crowded = owners.size() > kMaxBudgetOwnersDrawnAll;
    for (const BudgetOwner& owner : owners) {
      if (!crowded || owner.important)
        add_budget_levels(chart, owner.name, *owner.metric, owner.color, owner.unit);
    }
  }
  std::string html =
      "<p class=\"muted\">Shaded: the run's phases. Ticks on the time axis: the end of each "
      "measured iteration. Dashed: budgets that are levels (peak, and baseline + growth).</p>\n";
  // A long run's timeline is downsampled (docs/timeline-file.md): say what a point is.
  const double per_point = number_member(timeline, "samples_per_point").value_or(1);
  if (per_point > 1) {
    const std::string file = text_member(timeline, "file");
    html += "<p class=\"muted\">Each point is the highest of " +
            std::to_string(static_cast<int64_t>(per_point)) + " consecutive samples (of " +
            std::to_string(static_cast<int64_t>(number_member(timeline, "samples").value_or(0))) +
            "; result.json has their lowest too)" +
            (file.empty() ? std::string(".")
                          : std::string(": every sample is in <a href=\"") + escape_html(file) +
                                "\">" + escape_html(file) + "</a>.") +
            "</p>\n";
  }
  html += phase_legend(bands);
  for (const auto& [order, chart] : charts) {
    html += "<figure class=\"chart-figure\"><figcaption>" + escape_html(chart.title) +
            "</figcaption>\n" + render_time_chart_svg(chart) + "\n" + render_chart_legend(chart) +
            "</figure>\n";
  }
  return section("timeline", "Timeline", html);
}

}  // namespace leakgate::reports::detail
