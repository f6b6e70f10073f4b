// Inline SVG time charts and sparklines: no scripts, no fonts, no network — a chart
// reads the same with JavaScript off and when the page is saved as one file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leakgate/reports/format.h"

namespace leakgate::reports {

struct ChartSeries {
  std::string label;                          // the metric name, shown in the legend
  std::vector<std::optional<double>> values;  // one per TimeChart::t_s
  std::string color;                          // from chart_palette(), never from input
  bool emphasized = false;                    // drawn thicker (a total among its parts)
};

// A shaded span of time (a run phase).
struct ChartBand {
  std::string label;
  double start_s = 0;
  double end_s = 0;
};

// A horizontal budget line.
struct ChartLevel {
  std::string label;
  double value = 0;
  std::string color;
};

struct TimeChart {
  std::string title;
  Unit unit = Unit::count;
  std::vector<double> t_s;
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  std::vector<double> tick_marks_s;  // iteration ends, drawn as marks on the time axis
  std::vector<ChartLevel> levels;
};

// The distinct colors charts use, in order.
const std::vector<std::string>& chart_palette();

// CSS class for a phase band: "phase-warmup", ... ; unknown names get "phase-other".
std::string phase_css_class(const std::string& phase_name);

// <svg> … </svg> with axes, tick labels, shaded bands, budget lines and the series.
std::string render_time_chart_svg(const TimeChart& chart);

// An HTML legend (<ul class="legend">) for the chart's series and levels.
std::string render_chart_legend(const TimeChart& chart);

// A small line without axes for the run index.
std::string render_sparkline_svg(const std::vector<double>& t_s,
                                 const std::vector<std::optional<double>>& values,
                                 const std::string& accessible_label);

}  // namespace leakgate::reports
