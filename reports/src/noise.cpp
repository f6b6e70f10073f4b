#include "leakgate/reports/noise.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "json_access.h"

namespace leakgate::reports {

using nlohmann::json;

double noise_of(Unit unit, double level, std::optional<double> spread) {
  double floor = 0;
  if (unit == Unit::bytes) {
    floor = std::max(kBytesRelativeFloor * std::fabs(level), kBytesAbsoluteFloor);
  }
  return std::max(floor, spread.value_or(0));
}

Change classify_change(double now, double before, double noise) {
  const double delta = now - before;
  if (std::fabs(delta) <= noise) return Change::unchanged;
  return delta > 0 ? Change::worse : Change::better;
}

const char* change_tone(Change change) {
  switch (change) {
    case Change::worse:
      return "worse";
    case Change::better:
      return "better";
    case Change::unchanged:
      break;
  }
  return "same";
}

json figure_spread(const std::vector<json>& runs) {
  constexpr const char* kFigures[] = {"peak", "growth", "final", "at_exit"};
  struct Range {
    double low = 0;
    double high = 0;
    int values = 0;
  };
  std::map<std::pair<std::string, std::string>, Range> ranges;
  for (const json& run : runs) {
    for (const auto& [name, metric] :
         detail::object_or_empty(detail::member(run, "metrics")).items()) {
      for (const char* figure : kFigures) {
        const auto value = detail::number_member(metric, figure);
        if (!value) continue;
        Range& range = ranges[{name, figure}];
        range.low = range.values == 0 ? *value : std::min(range.low, *value);
        range.high = range.values == 0 ? *value : std::max(range.high, *value);
        ++range.values;
      }
    }
  }
  json spread = json::object();
  for (const auto& [key, range] : ranges) {
    if (range.values >= 2) spread[key.first][key.second] = range.high - range.low;
  }
  return spread;
}

}  // namespace leakgate::reports
