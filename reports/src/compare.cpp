#include "leakgate/reports/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "json_access.h"

namespace leakgate::reports {
namespace {

using nlohmann::json;

constexpr const char* kComparedFigures[] = {"peak", "final", "growth", "at_exit"};

std::string pad_right(std::string text, std::size_t width) {
  // Columns are measured in characters; the only non-ASCII we print is in the units.
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

FiguresByTest figures_of_run(const History& history, const std::string& run) {
  FiguresByTest figures;
  for (const std::string& test : history.tests_in_run(run)) {
    figures[test] = history.run_figures(test, run);
  }
  return figures;
}

std::vector<FigureChange> find_growth(const FiguresByTest& now, const FiguresByTest& before) {
  std::vector<FigureChange> changes;
  for (const auto& [test, current] : now) {
    const auto earlier_test = before.find(test);
    if (earlier_test == before.end()) continue;  // a new test has nothing to grow from
    const json& earlier_metrics = detail::member(earlier_test->second, "metrics");
    for (const auto& [metric, figures] :
         detail::object_or_empty(detail::member(current, "metrics")).items()) {
      const json& earlier = detail::member(earlier_metrics, metric);
      if (!earlier.is_object()) continue;
      const Unit unit = unit_of_metric(metric, figures);
      const double level = std::fabs(detail::number_member(earlier, "peak").value_or(0));
      for (const char* figure : kComparedFigures) {
        const auto after_value = detail::number_member(figures, figure);
        const auto before_value = detail::number_member(earlier, figure);
        if (!after_value || !before_value || *after_value <= *before_value) continue;
        const double delta = *after_value - *before_value;
        const double percent =
            level > 0 ? delta / level * 100 : std::numeric_limits<double>::infinity();
        changes.push_back({test, metric, figure, unit, *before_value, *after_value, percent});
      }
    }
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const FigureChange& a, const FigureChange& b) {
                     return a.percent_of_level > b.percent_of_level;
                   });
  return changes;
}

std::vector<FigureChange> find_growth(const History& history, const std::string& run,
                                      const std::string& baseline) {
  return find_growth(figures_of_run(history, run), figures_of_run(history, baseline));
}

std::vector<FigureChange> changes_above(const std::vector<FigureChange>& changes, double percent) {
  std::vector<FigureChange> above;
  for (const FigureChange& change : changes) {
    if (change.percent_of_level > percent) above.push_back(change);
  }
  return above;
}

std::string format_growth_table(const std::vector<FigureChange>& changes) {
  if (changes.empty()) return "No figure grew.\n";
  std::vector<std::vector<std::string>> rows = {
      {"test", "metric", "figure", "before", "after", "change", "% of level"}};
  for (const FigureChange& change : changes) {
    rows.push_back(
        {change.test, change.metric, change.figure, format_quantity(change.before, change.unit),
         format_quantity(change.after, change.unit),
         format_signed_quantity(change.after - change.before, change.unit),
         std::isinf(change.percent_of_level)
             ? "new"
             : "+" + format_number(std::round(change.percent_of_level * 10) / 10) + "%"});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  std::string table;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t column = 0; column < row.size(); ++column) {
      line += pad_right(row[column], widths[column] + 2);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    table += line + "\n";
  }
  return table;
}

}  // namespace leakgate::reports
