#include "leakgate/units.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace leakgate {
namespace {

// what() of the UnitError the parse throws, or "no error".
template <typename Parse>
std::string error_of(Parse parse, std::string_view text) {
  try {
    parse(text);
  } catch (const UnitError& e) {
    return e.what();
  }
  return "no error";
}
std::string size_error(std::string_view text) { return error_of(parse_size, text); }
std::string duration_error(std::string_view text) { return error_of(parse_duration, text); }

TEST(ParseSize, UnitsAndPlainNumbers) {
  EXPECT_EQ(parse_size("0"), 0);
  EXPECT_EQ(parse_size("4096"), 4096);
  EXPECT_EQ(parse_size("512B"), 512);
  EXPECT_EQ(parse_size("8KiB"), 8 * 1024);
  EXPECT_EQ(parse_size("64MiB"), 64LL << 20);
  EXPECT_EQ(parse_size("2GiB"), 2LL << 30);
  EXPECT_EQ(parse_size("1.5KiB"), 1536);
  EXPECT_EQ(parse_size("0.5MiB"), 512 * 1024);
  EXPECT_EQ(parse_size("64 MiB"), 64LL << 20);
  EXPECT_EQ(parse_size("8589934591GiB"), 8589934591LL << 30);
}

TEST(ParseSize, Errors) {
  EXPECT_NE(size_error("").find("empty size; expected B, KiB, MiB, GiB"), std::string::npos);
  EXPECT_NE(size_error("-1MiB").find("negative size '-1MiB'"), std::string::npos);
  EXPECT_EQ(size_error("64MB"),
            "unknown size unit 'MB' in '64MB' (did you mean 'MiB'?); allowed units: B, KiB, MiB, "
            "GiB (e.g. 64MiB, 1.5KiB, 4096)");
  EXPECT_NE(size_error("64mib").find("(did you mean 'MiB'?)"), std::string::npos);
  EXPECT_NE(size_error("8589934592GiB").find("too large"), std::string::npos);
  EXPECT_NE(size_error("99999999999999999999").find("too large"), std::string::npos);
  EXPECT_NE(size_error("1.3B").find("not a whole number of bytes"), std::string::npos);
  EXPECT_NE(size_error("abc").find("does not start with a number"), std::string::npos);
  EXPECT_NE(size_error("1.").find("no digits after the point"), std::string::npos);
  EXPECT_NE(size_error("1.0000000001KiB").find("too many decimals"), std::string::npos);
  EXPECT_NE(size_error("1  MiB").find("unknown size unit"), std::string::npos);
}

TEST(ParseDuration, UnitsAndFractions) {
  EXPECT_EQ(parse_duration("0"), Millis(0));
  EXPECT_EQ(parse_duration("20ms"), Millis(20));
  EXPECT_EQ(parse_duration("3s"), Millis(3000));
  EXPECT_EQ(parse_duration("1.5s"), Millis(1500));
  EXPECT_EQ(parse_duration("2m"), Millis(120000));
  EXPECT_EQ(parse_duration("0.25m"), Millis(15000));
}

TEST(ParseDuration, Errors) {
  EXPECT_NE(duration_error("20").find("has no unit; allowed units: ms, s, m"), std::string::npos);
  EXPECT_NE(duration_error("5h").find("unknown duration unit 'h'"), std::string::npos);
  EXPECT_NE(duration_error("5sec").find("(did you mean '5s'?)"), std::string::npos);
  EXPECT_NE(duration_error("-1s").find("negative duration"), std::string::npos);
  EXPECT_NE(duration_error("1.5ms").find("not a whole number of milliseconds"), std::string::npos);
  EXPECT_NE(duration_error("").find("empty duration"), std::string::npos);
}

// Units written out, or from other tools: the whole value rewritten (issue 26).
TEST(ParseDuration, SuggestsTheUnitMeant) {
  EXPECT_EQ(duration_error("10 secs"),
            "unknown duration unit 'secs' in '10 secs' (did you mean '10s'?); allowed units: "
            "ms, s, m (e.g. 20ms, 1.5s, 2m)");
  EXPECT_NE(duration_error("1.5seconds").find("(did you mean '1.5s'?)"), std::string::npos);
  EXPECT_NE(duration_error("5 min").find("(did you mean '5m'?)"), std::string::npos);
  EXPECT_NE(duration_error("5Minutes").find("(did you mean '5m'?)"), std::string::npos);
  EXPECT_NE(duration_error("20 msec").find("(did you mean '20ms'?)"), std::string::npos);
  EXPECT_NE(duration_error("20MS").find("(did you mean '20ms'?)"), std::string::npos);
  EXPECT_NE(duration_error("2h").find("(did you mean '120m'?"), std::string::npos);
  EXPECT_NE(duration_error("1.5 hours").find("(did you mean '90m'?"), std::string::npos);
  EXPECT_NE(duration_error("10sx").find("(did you mean '10s'?)"), std::string::npos);
  // Nothing close: no guess, the allowed units only.
  const std::string far = duration_error("3 fortnights");
  EXPECT_EQ(far.find("did you mean"), std::string::npos) << far;
  EXPECT_NE(far.find("allowed units: ms, s, m"), std::string::npos) << far;
}

TEST(FormatBytes, OneDecimalFromKiB) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(0.5), "0.5 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(72 * 1024), "72.0 KiB");
  EXPECT_EQ(format_bytes(1536 * 1024), "1.5 MiB");
  EXPECT_EQ(format_bytes(-2.0 * (1LL << 30)), "-2.0 GiB");
  EXPECT_EQ(format_bytes(1024 * 1024 - 1), "1.0 MiB");  // never "1024.0 KiB"
}

// One unit table: the units past GiB print too (parse_size stops at GiB), and so do
// figures that are not finite (a report's slope of nothing).
TEST(FormatBytes, WholeUnitTableAndNonFinite) {
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(-512), "-512 B");
  EXPECT_EQ(format_bytes(150.4 * (1LL << 30)), "150.4 GiB");
  EXPECT_EQ(format_bytes(2.0 * (1LL << 40)), "2.0 TiB");
  EXPECT_EQ(format_bytes(3.0 * (1LL << 50)), "3.0 PiB");
  EXPECT_EQ(format_bytes(static_cast<double>(INT64_MAX)), "8.0 EiB");
  EXPECT_EQ(format_bytes(std::numeric_limits<double>::infinity()), "∞ B");
  EXPECT_EQ(format_bytes(-std::numeric_limits<double>::infinity()), "-∞ B");
  EXPECT_EQ(format_bytes(std::numeric_limits<double>::quiet_NaN()), "NaN B");
  EXPECT_NE(size_error("2TiB").find("unknown size unit 'TiB'"), std::string::npos);
}

// What format_bytes prints for a whole number of its unit or a half is a size a scenario can
// carry back ("64.0 KiB" is "64KiB"); and a size parsed from a scenario prints in its unit.
TEST(FormatBytes, RoundTripsThroughParseSize) {
  for (const int64_t bytes :
       {int64_t{0}, int64_t{1}, int64_t{512}, int64_t{1023}, int64_t{1024}, int64_t{1536},
        int64_t{64} << 10, int64_t{3} << 19, int64_t{640} << 10, int64_t{64} << 20,
        int64_t{5} << 29, int64_t{1000} << 30})
    EXPECT_EQ(parse_size(format_bytes(static_cast<double>(bytes))), bytes) << bytes;
  for (const std::string_view text : {"512 B", "1.5 KiB", "64.0 KiB", "1.0 MiB", "2.5 GiB"})
    EXPECT_EQ(format_bytes(static_cast<double>(parse_size(text))), text);
  EXPECT_EQ(format_bytes(static_cast<double>(parse_size("64MiB"))), "64.0 MiB");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  EXPECT_EQ(format_duration(Millis(0)), "0ms");
  EXPECT_EQ(format_duration(Millis(150)), "150ms");
  EXPECT_EQ(format_duration(Millis(3000)), "3s");
  EXPECT_EQ(format_duration(Millis(1500)), "1.5s");
  EXPECT_EQ(format_duration(Millis(1005)), "1.005s");
  EXPECT_EQ(format_duration(Millis(120000)), "2m");
  EXPECT_EQ(format_duration(Millis(61500)), "61.5s");
  for (int64_t ms : {0, 1, 999, 1000, 1001, 59999, 60000, 61500, 3600000, 123456789})
    EXPECT_EQ(parse_duration(format_duration(Millis(ms))), Millis(ms)) << ms;
}

}  // namespace
}  // namespace leakgate
