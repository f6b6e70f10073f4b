#include "leakgate/reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "leakgate/reports/chart_axis.h"
#include "leakgate/reports/downsample.h"
#include "leakgate/reports/html.h"

namespace leakgate::reports {
namespace {

// Geometry of a chart in viewBox units; CSS scales it to the page width.
constexpr double kWidth = 880;
constexpr double kHeight = 250;
constexpr double kPlotLeft = 74;
constexpr double kPlotRight = kWidth - 14;
constexpr double kPlotTop = 22;
constexpr double kPlotBottom = kHeight - 40;
constexpr std::size_t kMaxPointsPerSeries = 1000;
constexpr double kLabelCharWidth = 6.2;  // average glyph width at the 11px label size

std::string coordinate(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  std::string text = buffer;
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  return text;
}

struct Mapping {
  double t_low, t_high, v_low, v_high;
  double x(double t_s) const {
    return kPlotLeft + (t_s - t_low) / (t_high - t_low) * (kPlotRight - kPlotLeft);
  }
  double y(double value) const {
    return kPlotBottom - (value - v_low) / (v_high - v_low) * (kPlotBottom - kPlotTop);
  }
};

struct ValueRange {
  double low = 0, high = 0;
  bool empty = true;
  void include(double value) {
    low = empty ? value : std::min(low, value);
    high = empty ? value : std::max(high, value);
    empty = false;
  }
};

ValueRange range_of_series(const TimeChart& chart) {
  ValueRange range;
  for (const ChartSeries& series : chart.series) {
    for (const auto& value : series.values) {
      if (value && std::isfinite(*value)) range.include(*value);
    }
  }
  return range;
}

// A budget line far above the data would flatten it; such lines are left off the plot
// (the legend still lists them).
bool level_on_scale(const ChartLevel& level, const ValueRange& data) {
  if (data.empty) return true;
  const double span = std::max(data.high - std::min(0.0, data.low), 1.0);
  return level.value <= data.high + span * 0.6 && level.value >= std::min(0.0, data.low);
}

Mapping make_mapping(const TimeChart& chart, AxisScale& value_axis, AxisScale& time_axis) {
  ValueRange data = range_of_series(chart);
  ValueRange shown = data;
  for (const ChartLevel& level : chart.levels) {
    if (level_on_scale(level, data)) shown.include(level.value);
  }
  if (shown.empty) shown.include(0);
  // Counts start at zero; bytes too unless the data sits high above it, where a zero
  // base would hide the growth being judged.
  double low = shown.low;
  if (chart.unit == Unit::count || shown.low < shown.high * 0.5) low = std::min(0.0, shown.low);
  // Headroom, so a line at its maximum does not run along the top edge.
  value_axis = nice_scale(low, shown.high + (shown.high - low) * 0.06, 5, chart.unit);

  double t_start = chart.t_s.empty() ? 0 : chart.t_s.front();
  double t_end = chart.t_s.empty() ? 1 : chart.t_s.back();
  for (const ChartBand& band : chart.bands) {
    t_start = std::min(t_start, band.start_s);  // show the startup phase from t = 0
    t_end = std::max(t_end, band.end_s);
  }
  if (t_end <= t_start) t_end = t_start + 1;
  time_axis = nice_time_scale(t_start, t_end, 8);
  // The data decides the time range; round ticks are drawn only inside it.
  time_axis.low = t_start;
  time_axis.high = t_end;
  return Mapping{t_start, t_end, value_axis.low, value_axis.high};
}

void draw_bands(std::string& svg, const TimeChart& chart, const Mapping& map) {
  svg += "<g class=\"phases\">";
  for (const ChartBand& band : chart.bands) {
    const double x0 = std::clamp(map.x(band.start_s), kPlotLeft, kPlotRight);
    const double x1 = std::clamp(map.x(band.end_s), kPlotLeft, kPlotRight);
    if (x1 <= x0) continue;
    svg += "<rect class=\"phase " + phase_css_class(band.label) + "\" x=\"" + coordinate(x0) +
           "\" y=\"" + coordinate(kPlotTop) + "\" width=\"" + coordinate(x1 - x0) + "\" height=\"" +
           coordinate(kPlotBottom - kPlotTop) + "\"><title>" + escape_html(band.label) + " " +
           format_seconds(band.start_s) + " – " + format_seconds(band.end_s) + "</title></rect>";
    if (x1 - x0 >= band.label.size() * kLabelCharWidth + 6) {
      svg += "<text class=\"phase-label\" x=\"" + coordinate((x0 + x1) / 2) + "\" y=\"" +
             coordinate(kPlotTop - 6) + "\" text-anchor=\"middle\">" + escape_html(band.label) +
             "</text>";
    }
  }
  svg += "</g>";
}

void draw_axes(std::string& svg, const TimeChart& chart, const Mapping& map,
               const AxisScale& value_axis, const AxisScale& time_axis) {
  svg += "<g class=\"grid\">";
  for (const double tick : value_axis.ticks) {
    const std::string y = coordinate(map.y(tick));
    svg += "<line x1=\"" + coordinate(kPlotLeft) + "\" x2=\"" + coordinate(kPlotRight) +
           "\" y1=\"" + y + "\" y2=\"" + y + "\"/>";
  }
  svg += "</g><g class=\"axis\">";
  svg += "<line x1=\"" + coordinate(kPlotLeft) + "\" x2=\"" + coordinate(kPlotRight) + "\" y1=\"" +
         coordinate(kPlotBottom) + "\" y2=\"" + coordinate(kPlotBottom) + "\"/>";
  for (const double tick : value_axis.ticks) {
    svg += "<text x=\"" + coordinate(kPlotLeft - 6) + "\" y=\"" + coordinate(map.y(tick) + 4) +
           "\" text-anchor=\"end\">" + escape_html(format_tick(tick, chart.unit)) + "</text>";
  }
  for (const double tick : time_axis.ticks) {
    if (tick < time_axis.low - 1e-9 || tick > time_axis.high + 1e-9) continue;
    const std::string x = coordinate(map.x(tick));
    svg += "<line x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + coordinate(kPlotBottom) + "\" y2=\"" +
           coordinate(kPlotBottom + 4) + "\"/>";
    svg += "<text x=\"" + x + "\" y=\"" + coordinate(kPlotBottom + 17) +
           "\" text-anchor=\"middle\">" + format_number(tick) + "</text>";
  }
  svg += "<text class=\"axis-title\" x=\"" + coordinate((kPlotLeft + kPlotRight) / 2) + "\" y=\"" +
         coordinate(kHeight - 4) + "\" text-anchor=\"middle\">time since daemon start (s)</text>";
  svg += "<text class=\"axis-title\" transform=\"rotate(-90)\" x=\"" +
         coordinate(-(kPlotTop + kPlotBottom) / 2) + "\" y=\"12\" text-anchor=\"middle\">" +
         (chart.unit == Unit::bytes ? "bytes" : "count") + "</text>";
  svg += "</g>";
}

void draw_iteration_marks(std::string& svg, const TimeChart& chart, const Mapping& map) {
  if (chart.tick_marks_s.empty()) return;
  // More marks than pixels would merge into a bar; draw every n-th.
  const std::size_t stride = chart.tick_marks_s.size() / 200 + 1;
  std::string path;
  for (std::size_t i = 0; i < chart.tick_marks_s.size(); i += stride) {
    const double x = map.x(chart.tick_marks_s[i]);
    if (x < kPlotLeft || x > kPlotRight) continue;
    path += "M" + coordinate(x) + " " + coordinate(kPlotBottom) + "v-6";
  }
  svg += "<path class=\"iteration-marks\" d=\"" + path + "\"><title>end of a measured iteration" +
         std::string(stride > 1 ? " (every " + std::to_string(stride) + "th shown)" : "") +
         "</title></path>";
}

void draw_series(std::string& svg, const TimeChart& chart, const Mapping& map) {
  svg += "<g class=\"series\">";
  for (const ChartSeries& series : chart.series) {
    const auto points = downsample_min_max(chart.t_s, series.values, kMaxPointsPerSeries);
    if (points.empty()) continue;
    std::string path;
    path.reserve(points.size() * 14);
    for (const TimePoint& point : points) {
      path += point.starts_segment ? "M" : "L";
      path += coordinate(map.x(point.t_s)) + " " + coordinate(map.y(point.value));
    }
    svg += "<path d=\"" + path + "\" stroke=\"" + escape_html(series.color) + "\"" +
           (series.emphasized ? " stroke-width=\"2.4\"" : " stroke-width=\"1.6\"") + "><title>" +
           escape_html(series.label) + "</title></path>";
  }
  svg += "</g>";
}

// Label positions for budget lines: just above each line (below it at the top edge),
// pushed apart so close budgets stay legible, and kept inside the plot.
std::vector<double> label_positions(const std::vector<double>& line_ys) {
  constexpr double kGap = 13, kTop = kPlotTop + 11, kBottom = kPlotBottom - 4;
  std::vector<double> ys;
  for (const double y : line_ys) ys.push_back(y - 4 < kTop ? y + 13 : y - 4);
  for (std::size_t i = 1; i < ys.size(); ++i) ys[i] = std::max(ys[i], ys[i - 1] + kGap);
  if (!ys.empty()) ys.back() = std::min(ys.back(), kBottom);
  for (std::size_t i = ys.size(); i-- > 1;) ys[i - 1] = std::min(ys[i - 1], ys[i] - kGap);
  return ys;
}

void draw_levels(std::string& svg, const TimeChart& chart, const Mapping& map) {
  const ValueRange data = range_of_series(chart);
  std::vector<std::pair<double, const ChartLevel*>> shown;
  for (const ChartLevel& level : chart.levels) {
    if (level_on_scale(level, data)) shown.emplace_back(map.y(level.value), &level);
  }
  std::sort(shown.begin(), shown.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<double> line_ys;
  for (const auto& entry : shown) line_ys.push_back(entry.first);
  const std::vector<double> label_ys = label_positions(line_ys);
  svg += "<g class=\"levels\">";
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const auto& [y, level] = shown[i];
    const std::string color = escape_html(level->color);
    svg += "<line x1=\"" + coordinate(kPlotLeft) + "\" x2=\"" + coordinate(kPlotRight) +
           "\" y1=\"" + coordinate(y) + "\" y2=\"" + coordinate(y) + "\" stroke=\"" + color +
           "\"/>";
    svg += "<text x=\"" + coordinate(kPlotRight - 4) + "\" y=\"" + coordinate(label_ys[i]) +
           "\" text-anchor=\"end\" fill=\"" + color + "\">" + escape_html(level->label) + "</text>";
  }
  svg += "</g>";
}

}  // namespace

const std::vector<std::string>& chart_palette() {
  // Tableau-like hues, darkened for contrast on white.
  static const std::vector<std::string> palette = {"#2f6fb0", "#d9480f", "#2b8a3e", "#862e9c",
                                                   "#c2255c", "#0b7285", "#a07000", "#5c5f66",
                                                   "#364fc7", "#8f5b32"};
  return palette;
}

std::string phase_css_class(const std::string& phase_name) {
  for (const char* known : {"startup", "warmup", "settle", "measured", "shutdown"}) {
    if (phase_name == known) return std::string("phase-") + known;
  }
  return "phase-other";
}

std::string render_time_chart_svg(const TimeChart& chart) {
  AxisScale value_axis, time_axis;
  const Mapping map = make_mapping(chart, value_axis, time_axis);
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + coordinate(kWidth) + " " +
                    coordinate(kHeight) + "\" role=\"img\" aria-label=\"" +
                    escape_html(chart.title) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  draw_bands(svg, chart, map);
  draw_axes(svg, chart, map, value_axis, time_axis);
  draw_iteration_marks(svg, chart, map);
  draw_levels(svg, chart, map);
  draw_series(svg, chart, map);
  svg += "</svg>";
  return svg;
}

std::string render_chart_legend(const TimeChart& chart) {
  const ValueRange data = range_of_series(chart);
  std::string html = "<ul class=\"legend\">";
  for (const ChartSeries& series : chart.series) {
    std::optional<double> last, peak;
    for (const auto& value : series.values) {
      if (!value) continue;
      last = value;
      peak = peak ? std::max(*peak, *value) : *value;
    }
    html += "<li><span class=\"swatch\" style=\"background:" + escape_html(series.color) +
            "\"></span>" + escape_html(series.label) + " <span class=\"muted\">peak " +
            escape_html(format_quantity(peak, chart.unit)) + ", last " +
            escape_html(format_quantity(last, chart.unit)) + "</span></li>";
  }
  for (const ChartLevel& level : chart.levels) {
    html += "<li><span class=\"swatch budget\" style=\"border-color:" + escape_html(level.color) +
            "\"></span>" + escape_html(level.label) +
            (level_on_scale(level, data) ? "" : " <span class=\"muted\">(above the chart)</span>") +
            "</li>";
  }
  if (!chart.tick_marks_s.empty()) {
    html += "<li><span class=\"swatch iteration\"></span>iteration ends</li>";
  }
  html += "</ul>";
  return html;
}

std::string render_sparkline_svg(const std::vector<double>& t_s,
                                 const std::vector<std::optional<double>>& values,
                                 const std::string& accessible_label) {
  constexpr double width = 120, height = 28, pad = 2;
  const auto points = downsample_min_max(t_s, values, 120);
  std::string svg =
      "<svg class=\"sparkline\" viewBox=\"0 0 120 28\" width=\"120\" height=\"28\" "
      "role=\"img\" aria-label=\"" +
      escape_html(accessible_label) + "\" xmlns=\"http://www.w3.org/2000/svg\"><title>" +
      escape_html(accessible_label) + "</title>";
  if (points.empty()) return svg + "</svg>";
  double t_low = points.front().t_s, t_high = points.back().t_s;
  double v_low = points.front().value, v_high = v_low;
  for (const TimePoint& point : points) {
    v_low = std::min(v_low, point.value);
    v_high = std::max(v_high, point.value);
  }
  if (t_high <= t_low) t_high = t_low + 1;
  // Noise on a flat line must not look like a trend: span at least 10% of the level.
  const double min_span = std::max(0.1 * std::max(std::fabs(v_low), std::fabs(v_high)), 1.0);
  if (v_high - v_low < min_span) {
    const double middle = (v_high + v_low) / 2;
    v_low = middle - min_span / 2;
    v_high = middle + min_span / 2;
  }
  auto x = [&](double t) { return pad + (t - t_low) / (t_high - t_low) * (width - 2 * pad); };
  auto y = [&](double v) {
    return height - pad - (v - v_low) / (v_high - v_low) * (height - 2 * pad);
  };
  std::string path;
  for (const TimePoint& point : points) {
    path += (point.starts_segment ? "M" : "L") + coordinate(x(point.t_s)) + " " +
            coordinate(y(point.value));
  }
  svg += "<path d=\"" + path + "\"/><circle r=\"2\" cx=\"" + coordinate(x(points.back().t_s)) +
         "\" cy=\"" + coordinate(y(points.back().value)) + "\"/></svg>";
  return svg;
}

}  // namespace leakgate::reports
