#include "sample/timeline.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

TEST(Timeline, ColumnsAppearAsMetricsDoAndOlderRowsReadAsAbsent) {
  Timeline timeline;
  timeline.append(0.0, {{"daemon.fds", 10}});
  timeline.append(0.5, {{"daemon.fds", 12}, {"daemon.engines", 1}});
  timeline.append(1.0, {{"daemon.fds", 11}, {"daemon.engines", 3}});
  EXPECT_EQ(timeline.size(), 3u);
  const auto engines = timeline.series("daemon.engines");
  ASSERT_EQ(engines.size(), 3u);
  EXPECT_TRUE(std::isnan(engines[0]));
  EXPECT_EQ(engines[2], 3);
  EXPECT_TRUE(timeline.series("daemon.rss").empty());
}

TEST(Timeline, MaxBetweenHonoursTheWindowAndSkipsGaps) {
  Timeline timeline;
  timeline.append(0.0, {{"m", 100}});
  timeline.append(1.0, {{"m", 5}});
  timeline.append(2.0, {{"other", 1}});
  timeline.append(3.0, {{"m", 7}});
  EXPECT_EQ(timeline.max_between("m", 0.5, 3.0), 7);
  EXPECT_EQ(timeline.max_between("m", 0.0, 3.0), 100);
  EXPECT_TRUE(std::isnan(timeline.max_between("m", 1.5, 2.5)));
  EXPECT_TRUE(std::isnan(timeline.max_between("absent", 0, 10)));
}

TEST(Timeline, ResolvedColumnsAreStableAndRowsStartAbsent) {
  Timeline timeline;
  const size_t fds = timeline.column("daemon.fds");
  EXPECT_EQ(timeline.column("daemon.fds"), fds);
  const size_t rss = timeline.column("daemon.rss");
  EXPECT_NE(rss, fds);
  const size_t row = timeline.begin_row(0.25);
  EXPECT_FALSE(timeline.has(row, fds));
  timeline.set(row, fds, 7);
  EXPECT_TRUE(timeline.has(row, fds));
  EXPECT_EQ(timeline.value(row, "daemon.fds"), 7);
  // A column with no value in a row is not part of that row's frame.
  EXPECT_EQ(timeline.row_frame(row), (Frame{{"daemon.fds", 7}}));
  EXPECT_EQ(timeline.times(), std::vector<double>{0.25});
}

TEST(Timeline, ColumnsBeyondTheLimitAreDroppedNotWritten) {
  Timeline timeline;
  for (size_t i = 0; i < Timeline::kMaxColumns; ++i) {
    EXPECT_EQ(timeline.column("m" + std::to_string(i)), i);
  }
  EXPECT_EQ(timeline.column("one.too.many"), Timeline::kNoColumn);
  const size_t row = timeline.append(1.0, {{"one.too.many", 1}, {"m0", 2}});
  timeline.set(row, Timeline::kNoColumn, 3);  // ignored, not out of bounds
  EXPECT_FALSE(timeline.has(row, Timeline::kNoColumn));
  EXPECT_EQ(timeline.row_frame(row), (Frame{{"m0", 2}}));
  EXPECT_TRUE(timeline.series("one.too.many").empty());
}

}  // namespace
}  // namespace leakgate
