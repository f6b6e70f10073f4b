#include "leakgate/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <span>
#include <vector>

#include "suggest.h"

namespace leakgate {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t multiplier;
};

// The one table of byte units: format_bytes prints all of them, parse_size accepts the first
// kParsedSizeUnits (kSizeUnitsHelp: no budget is written in TiB).
constexpr Unit kByteUnits[] = {{"B", 1},           {"KiB", 1LL << 10}, {"MiB", 1LL << 20},
                               {"GiB", 1LL << 30}, {"TiB", 1LL << 40}, {"PiB", 1LL << 50},
                               {"EiB", 1LL << 60}};
constexpr size_t kParsedSizeUnits = 4;
constexpr std::span<const Unit> kSizeUnits(kByteUnits, kParsedSizeUnits);
constexpr Unit kDurationUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}};

// "1.5MiB" split into its exact decimal number and its unit text.
struct DecimalWithUnit {
  int64_t whole = 0;
  int64_t fraction = 0;        // digits after the point, as an integer
  int64_t fraction_scale = 1;  // 10^(number of those digits)
  std::string_view unit;
};

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

constexpr int kMaxFractionDigits = 9;  // keeps fraction * multiplier inside int64

DecimalWithUnit split_number(std::string_view text, std::string_view kind, std::string_view help) {
  if (text.empty())
    throw UnitError("empty " + std::string(kind) + "; expected " + std::string(help));
  if (text.front() == '-')
    throw UnitError("negative " + std::string(kind) + " " + quoted(text) + "; must be >= 0");
  DecimalWithUnit out;
  size_t i = 0;
  auto is_digit = [&](size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '9'; };
  if (!is_digit(0))
    throw UnitError(std::string(kind) + " " + quoted(text) +
                    " does not start with a number; expected " + std::string(help));
  for (; is_digit(i); ++i) {
    if (out.whole > (std::numeric_limits<int64_t>::max() - 9) / 10)
      throw UnitError(std::string(kind) + " " + quoted(text) + " is too large");
    out.whole = out.whole * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!is_digit(i))
      throw UnitError("no digits after the point in " + quoted(text) + "; expected " +
                      std::string(help));
    for (int digits = 0; is_digit(i); ++i, ++digits) {
      if (digits == kMaxFractionDigits)
        throw UnitError("too many decimals in " + quoted(text) + "; at most 9");
      out.fraction = out.fraction * 10 + (text[i] - '0');
      out.fraction_scale *= 10;
    }
  }
  if (i < text.size() && text[i] == ' ') ++i;  // "64 MiB"
  out.unit = text.substr(i);
  return out;
}

int64_t apply_unit(std::string_view text, const DecimalWithUnit& number,
                   std::span<const Unit> units, std::string_view kind, std::string_view help,
                   std::string_view resolution) {
  const Unit* unit = nullptr;
  for (const Unit& candidate : units)
    if (candidate.suffix == number.unit) unit = &candidate;
  if (!unit) {
    std::vector<std::string_view> names;
    for (const Unit& candidate : units) names.push_back(candidate.suffix);
    throw UnitError("unknown " + std::string(kind) + " unit " + quoted(number.unit) + " in " +
                    quoted(text) + detail::did_you_mean(number.unit, names) +
                    "; allowed units: " + std::string(help));
  }
  if (number.whole > std::numeric_limits<int64_t>::max() / unit->multiplier)
    throw UnitError(std::string(kind) + " " + quoted(text) + " is too large");
  const int64_t scaled_fraction = number.fraction * unit->multiplier;
  if (scaled_fraction % number.fraction_scale != 0)
    throw UnitError(std::string(kind) + " " + quoted(text) + " is not a whole number of " +
                    std::string(resolution) + "; use a smaller unit");
  const int64_t whole = number.whole * unit->multiplier;
  const int64_t fraction = scaled_fraction / number.fraction_scale;
  if (whole > std::numeric_limits<int64_t>::max() - fraction)
    throw UnitError(std::string(kind) + " " + quoted(text) + " is too large");
  return whole + fraction;
}

// The duration unit meant by one written out or taken from another tool ("10 secs", "5min"):
// edit distance cannot find those ("secs" is 3 edits from "s"). "h" for hours, which have no
// unit here; "" when it is none of them.
std::string_view duration_unit_meant(std::string_view unit) {
  std::string folded(unit);
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Alias {
    std::string_view meant;
    std::initializer_list<std::string_view> spellings;
  };
  static const Alias kAliases[] = {
      {"ms", {"ms", "msec", "msecs", "millis", "millisecond", "milliseconds"}},
      {"s", {"s", "sec", "secs", "second", "seconds"}},
      {"m", {"m", "min", "mins", "minute", "minutes"}},
      {"h", {"h", "hr", "hrs", "hour", "hours"}}};
  for (const Alias& alias : kAliases)
    for (std::string_view spelling : alias.spellings)
      if (folded == spelling) return alias.meant;
  return {};
}

// " (did you mean '10s'?)" for "10 secs": the whole value, rewritten; hours as minutes.
std::string duration_suggestion(std::string_view text, const DecimalWithUnit& number) {
  std::string_view unit = duration_unit_meant(number.unit);
  if (unit.empty()) {
    std::vector<std::string_view> names;
    for (const Unit& candidate : kDurationUnits) names.push_back(candidate.suffix);
    const std::string match = detail::closest_match(number.unit, names);
    unit = match.empty() ? std::string_view() : duration_unit_meant(match);
  }
  if (unit.empty()) return {};
  std::string_view digits = text.substr(0, text.size() - number.unit.size());
  if (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
  if (unit != "h") return " (did you mean '" + std::string(digits) + std::string(unit) + "'?)";
  const int64_t minutes_of_fraction = number.fraction * 60;
  if (minutes_of_fraction % number.fraction_scale != 0 ||
      number.whole > std::numeric_limits<int64_t>::max() / 60 - 60)
    return " (hours are written in minutes: 1h is 60m)";
  return " (did you mean '" +
         std::to_string(number.whole * 60 + minutes_of_fraction / number.fraction_scale) +
         "m'? hours are written in minutes)";
}

std::string printf_string(const char* format, double value, const char* suffix) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value, suffix);
  return buffer;
}

}  // namespace

int64_t parse_size(std::string_view text) {
  DecimalWithUnit number = split_number(text, "size", kSizeUnitsHelp);
  if (number.unit.empty()) number.unit = "B";  // plain numbers are bytes
  return apply_unit(text, number, kSizeUnits, "size", kSizeUnitsHelp, "bytes");
}

Millis parse_duration(std::string_view text) {
  const DecimalWithUnit number = split_number(text, "duration", kDurationUnitsHelp);
  if (number.unit.empty()) {
    if (number.whole == 0 && number.fraction == 0) return Millis(0);
    throw UnitError("duration " + quoted(text) +
                    " has no unit; allowed units: " + std::string(kDurationUnitsHelp));
  }
  bool known = false;
  for (const Unit& unit : kDurationUnits) known = known || unit.suffix == number.unit;
  if (!known) {
    throw UnitError("unknown duration unit " + quoted(number.unit) + " in " + quoted(text) +
                    duration_suggestion(text, number) +
                    "; allowed units: " + std::string(kDurationUnitsHelp));
  }
  return Millis(
      apply_unit(text, number, kDurationUnits, "duration", kDurationUnitsHelp, "milliseconds"));
}

std::string format_bytes(double bytes) {
  if (std::isnan(bytes)) return "NaN B";
  if (std::isinf(bytes)) return bytes > 0 ? "∞ B" : "-∞ B";
  const double magnitude = std::fabs(bytes);
  if (magnitude < 1024) {
    if (bytes == std::floor(bytes)) return printf_string("%.0f %s", bytes, "B");
    return printf_string("%.1f %s", bytes, "B");
  }
  double scaled = bytes / 1024;
  size_t unit = 1;
  // Step up while the rounded figure would print as 1024.0 or more.
  while (std::fabs(scaled) >= 1023.95 && unit + 1 < std::size(kByteUnits)) scaled /= 1024, ++unit;
  return printf_string("%.1f %s", scaled, kByteUnits[unit].suffix.data());
}

std::string format_duration(Millis duration) {
  const int64_t ms = duration.count();
  const bool negative = ms < 0;
  // Negative durations never come from parse_duration; print them without a parseable promise.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  std::string out = negative ? "-" : "";
  if (magnitude == 0) return "0ms";
  if (magnitude < 1000) return out + std::to_string(magnitude) + "ms";
  if (magnitude % 60000 == 0) return out + std::to_string(magnitude / 60000) + "m";
  out += std::to_string(magnitude / 1000);
  if (const uint64_t rest = magnitude % 1000; rest != 0) {
    std::string decimals = std::to_string(rest);
    decimals.insert(0, 3 - decimals.size(), '0');
    while (decimals.back() == '0') decimals.pop_back();
    out += "." + decimals;
  }
  return out + "s";
}

}  // namespace leakgate
