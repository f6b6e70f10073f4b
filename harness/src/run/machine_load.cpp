#include "run/machine_load.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace leakgate {

std::optional<double> parse_loadavg(std::string_view text) {
  const std::string first(text.substr(0, text.find(' ')));
  if (first.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(first.c_str(), &end);
  if (end == first.c_str() || *end != '\0' || value < 0) return std::nullopt;
  return value;
}

std::optional<double> load_average() {
  std::ifstream file("/proc/loadavg");
  std::string text;
  if (!std::getline(file, text)) return std::nullopt;
  return parse_loadavg(text);
}

std::optional<std::string> loaded_machine_note(std::optional<double> load, long cpus) {
  if (!load || cpus <= 0 || *load <= static_cast<double>(cpus)) return std::nullopt;
  char text[192];
  std::snprintf(text, sizeof text,
                "the machine was loaded (load average %.1f on %ld CPUs): the run was slowed, its "
                "figures were not",
                *load, cpus);
  return std::string(text);
}

double load_stretch(std::optional<double> load, long cpus, double most) {
  if (!load || cpus <= 0) return 1;
  return std::clamp(*load / static_cast<double>(cpus), 1.0, std::max(most, 1.0));
}

}  // namespace leakgate
