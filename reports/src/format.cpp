#include "leakgate/reports/format.h"

#include <cmath>
#include <cstdio>

namespace leakgate::reports {
namespace {

// printf with `decimals`, then without trailing zeros: 64.00 -> 64, 1.50 -> 1.5.
std::string fixed_trimmed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Unit unit_of_metric(std::string_view metric_name, const nlohmann::json& metric) {
  if (metric.is_object()) {
    const auto unit = metric.find("unit");
    if (unit != metric.end() && unit->is_string()) {
      return unit->get<std::string>() == "bytes" ? Unit::bytes : Unit::count;
    }
  }
  for (const std::string_view bytes_resource : {".rss", ".pss", ".heap", "_bytes", ".bytes"}) {
    if (ends_with(metric_name, bytes_resource)) return Unit::bytes;
  }
  return Unit::count;
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return value > 0 ? "∞" : (value < 0 ? "-∞" : "NaN");
  const double magnitude = std::fabs(value);
  if (magnitude >= 100 || value == std::floor(value)) return fixed_trimmed(value, 1);
  if (magnitude >= 1) return fixed_trimmed(value, 2);
  if (magnitude == 0) return "0";
  // Small slopes: three significant digits.
  const int decimals = std::min(12, 2 - static_cast<int>(std::floor(std::log10(magnitude))));
  return fixed_trimmed(value, decimals);
}

std::string format_quantity(std::optional<double> value, Unit unit) {
  if (!value) return "—";
  return unit == Unit::bytes ? format_bytes(*value) : format_number(*value);
}

std::string format_signed_quantity(std::optional<double> value, Unit unit) {
  if (!value) return "—";
  if (*value == 0) return "±0";
  const std::string text = format_quantity(*value, unit);
  return *value > 0 ? "+" + text : text;
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return "—";
  if (std::fabs(seconds) < 1) return fixed_trimmed(seconds * 1000, 1) + " ms";
  if (std::fabs(seconds) < 120) return fixed_trimmed(seconds, 2) + " s";
  const auto minutes = static_cast<long>(seconds / 60);
  return std::to_string(minutes) + " min " + fixed_trimmed(seconds - minutes * 60.0, 0) + " s";
}

std::string format_percent_change(std::optional<double> before, std::optional<double> after) {
  if (!before || !after) return "";
  if (*before == *after) return "±0%";
  if (*before == 0) return *after > 0 ? "new" : "";
  const double percent = (*after - *before) / std::fabs(*before) * 100;
  const std::string text = fixed_trimmed(percent, std::fabs(percent) < 10 ? 1 : 0) + "%";
  return percent > 0 ? "+" + text : text;
}

}  // namespace leakgate::reports
