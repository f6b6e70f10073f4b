// Pure pieces of the renderer: formatting, escaping, axis ticks, downsampling.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "leakgate/reports/chart_axis.h"
#include "leakgate/reports/downsample.h"
#include "leakgate/reports/format.h"
#include "leakgate/reports/html.h"

namespace leakgate::reports {
namespace {

// A page prints bytes as the verdict line does (leakgate/units.h): one decimal from KiB up.
TEST(Format, BytesAsTheVerdictLinePrintsThem) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(64.0 * 1024 * 1024), "64.0 MiB");
  EXPECT_EQ(format_bytes(-1.5 * 1024 * 1024), "-1.5 MiB");
  EXPECT_EQ(format_bytes(150.4 * 1024 * 1024 * 1024), "150.4 GiB");
  EXPECT_EQ(format_bytes(2.0 * 1024 * 1024 * 1024 * 1024), "2.0 TiB");
  EXPECT_EQ(&format_bytes, &leakgate::format_bytes);  // one formatter, not a copy
}

TEST(Format, CountsAndChanges) {
  EXPECT_EQ(format_number(41), "41");
  EXPECT_EQ(format_number(0.8), "0.8");
  EXPECT_EQ(format_number(0.01234), "0.0123");
  EXPECT_EQ(format_quantity(std::nullopt, Unit::count), "—");
  EXPECT_EQ(format_signed_quantity(40, Unit::count), "+40");
  EXPECT_EQ(format_signed_quantity(0, Unit::bytes), "±0");
  EXPECT_EQ(format_signed_quantity(-2048, Unit::bytes), "-2.0 KiB");
  EXPECT_EQ(format_signed_quantity(72 * 1024, Unit::bytes), "+72.0 KiB");
  EXPECT_EQ(format_quantity(std::numeric_limits<double>::infinity(), Unit::bytes), "∞ B");
  EXPECT_EQ(format_percent_change(40, 50), "+25%");
  EXPECT_EQ(format_percent_change(0, 3), "new");
  EXPECT_EQ(format_seconds(0.45), "450 ms");
  EXPECT_EQ(format_seconds(3.214), "3.21 s");
}

TEST(Format, UnitFromDeclarationOrName) {
  EXPECT_EQ(unit_of_metric("daemon.rss", nullptr), Unit::bytes);
  EXPECT_EQ(unit_of_metric("daemon.heap", nullptr), Unit::bytes);
  EXPECT_EQ(unit_of_metric("daemon.engines", nullptr), Unit::count);
  EXPECT_EQ(unit_of_metric("daemon.odd", {{"unit", "bytes"}}), Unit::bytes);
}

TEST(Html, EscapesEverythingMarkupMeaningful) {
  EXPECT_EQ(escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(Html, RelativeLinksOnly) {
  EXPECT_EQ(safe_relative_href("daemon.stdout"), "daemon.stdout");
  EXPECT_EQ(safe_relative_href("logs/daemon.stderr"), "logs/daemon.stderr");
  EXPECT_EQ(safe_relative_href("javascript:alert(1)"), "");
  EXPECT_EQ(safe_relative_href("/etc/passwd"), "");
  EXPECT_EQ(safe_relative_href("../secret"), "");
}

TEST(ChartAxis, RoundTicksCoverTheData) {
  const AxisScale counts = nice_scale(0, 41, 5, Unit::count);
  EXPECT_EQ(counts.low, 0);
  EXPECT_GE(counts.high, 41);
  EXPECT_EQ(counts.ticks.front(), 0);
  for (const double tick : counts.ticks) EXPECT_EQ(tick, std::floor(tick));

  const AxisScale small = nice_scale(0, 1, 5, Unit::count);
  EXPECT_EQ(small.ticks, (std::vector<double>{0, 1}));

  const double MiB = 1024 * 1024;
  const AxisScale bytes = nice_scale(0, 19 * MiB, 5, Unit::bytes);
  for (const double tick : bytes.ticks) EXPECT_EQ(std::fmod(tick, MiB), 0) << tick;
  EXPECT_GE(bytes.high, 19 * MiB);
}

TEST(Downsample, KeepsShortSeriesAndBreaksAtGaps) {
  const auto points = downsample_min_max({0, 1, 2, 3}, {1.0, std::nullopt, 3.0, 4.0}, 1000);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_TRUE(points[0].starts_segment);
  EXPECT_TRUE(points[1].starts_segment);
  EXPECT_FALSE(points[2].starts_segment);
}

TEST(Downsample, LongSeriesKeepsSpikesWithinTheLimit) {
  // 60 s at 1 kHz with one spike.
  std::vector<double> times;
  std::vector<std::optional<double>> values;
  for (int i = 0; i < 60000; ++i) {
    times.push_back(i / 1000.0);
    values.push_back(i == 31234 ? 500.0 : 10.0 + (i % 7));
  }
  const auto points = downsample_min_max(times, values, 1000);
  EXPECT_LE(points.size(), 1000u);
  double highest = 0;
  for (const auto& point : points) highest = std::max(highest, point.value);
  EXPECT_EQ(highest, 500.0);
  for (std::size_t i = 1; i < points.size(); ++i) EXPECT_LE(points[i - 1].t_s, points[i].t_s);
}

}  // namespace
}  // namespace leakgate::reports
