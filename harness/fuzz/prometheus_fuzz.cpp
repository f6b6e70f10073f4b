// Prometheus text (a scrape of any daemon: untrusted): parse never crashes, counts its bad
// lines sanely, and every sample it keeps parses back to itself from `key value`.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "leakgate/prometheus.h"

namespace {

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  int bad_lines = -1;
  const auto samples = leakgate::parse_prometheus(text, &bad_lines);
  const auto lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (bad_lines < 0 || static_cast<size_t>(bad_lines) + samples.size() > lines) std::abort();
  for (const auto& [key, value] : samples) {
    char number[64];
    const auto [end, error] = std::to_chars(number, number + sizeof(number), value);
    if (error != std::errc()) std::abort();
    const std::string line = key + " " + std::string(number, end);
    int reparsed_bad = -1;
    const auto again = leakgate::parse_prometheus(line, &reparsed_bad);
    if (reparsed_bad != 0 || again.size() != 1 || again.begin()->first != key ||
        !same_value(again.begin()->second, value)) {
      std::abort();
    }
  }
  return 0;
}
