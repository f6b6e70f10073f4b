#include "timeline.h"

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

}  // namespace
}  // namespace leakgate
