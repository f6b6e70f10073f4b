// Sizes and durations as written in scenario files: "64MiB", "1.5s", "20ms".
//
// Errors are reported by throwing UnitError (not a Result<T>): the only caller that
// recovers is the scenario parser, which adds the file:line:column and rethrows, and
// an exception keeps every other call site a plain value expression.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace leakgate {

using Millis = std::chrono::milliseconds;

// what() says what was wrong and what is allowed, without a location.
class UnitError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

inline constexpr std::string_view kSizeUnitsHelp = "B, KiB, MiB, GiB (e.g. 64MiB, 1.5KiB, 4096)";
inline constexpr std::string_view kDurationUnitsHelp = "ms, s, m (e.g. 20ms, 1.5s, 2m)";

// Bytes from "4096", "512B", "8KiB", "1.5MiB", "2GiB" (binary multiples; one space allowed
// before the unit). A fraction must come to whole bytes. Rejects empty, negative, overflow
// and unknown units (e.g. "MB": suggests "MiB").
int64_t parse_size(std::string_view text);

// Milliseconds from "20ms", "1.5s", "2m" or "0". A unit is required for non-zero values;
// a fraction must come to whole milliseconds.
Millis parse_duration(std::string_view text);

// "512 B", "0.5 B", "64.0 KiB", "1.5 MiB", "-2.0 GiB", "2.0 TiB": one decimal from KiB up,
// binary units up to EiB; "∞ B", "-∞ B", "NaN B" when not finite. The one byte formatter of
// leakgate: verdict lines, progress, attribution and the report pages (leakgate::reports)
// all print bytes through it. Takes double so per-iteration slopes format too; every int64
// up to 2^53 is exact. Display only: "1.3 KiB" is rounded and not a whole number of bytes,
// so parse_size refuses it ("64.0 KiB" and "1.5 KiB" parse back).
std::string format_bytes(double bytes);

// "150ms", "3s", "1.5s", "2m", "61.5s": always accepted back by parse_duration.
std::string format_duration(Millis duration);

}  // namespace leakgate
