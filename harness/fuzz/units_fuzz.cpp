// Sizes and durations: parse never crashes, and whatever parses formats back to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "leakgate/units.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const int64_t bytes = leakgate::parse_size(text);
    if (bytes < 0) std::abort();
    (void)leakgate::format_bytes(static_cast<double>(bytes));
  } catch (const leakgate::UnitError&) {
  }
  try {
    const leakgate::Millis duration = leakgate::parse_duration(text);
    if (leakgate::parse_duration(leakgate::format_duration(duration)) != duration) std::abort();
  } catch (const leakgate::UnitError&) {
  }
  return 0;
}
