// The bounded timeline (rows into min/max buckets, exact peaks over the measured window) and
// its full-resolution file (round trip through the reader).
#include "sample/timeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "sample/checkpoints.h"
#include "sample/timeline_file.h"

namespace leakgate {
namespace {

std::string temp_path(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/" + name + "." + std::to_string(getpid());
}

TEST(Timeline, ColumnsAppearAsMetricsDoAndOlderRowsReadAsAbsent) {
  Timeline timeline;
  timeline.append(0.0, {{"daemon.fds", 10}});
  timeline.append(0.5, {{"daemon.fds", 12}, {"daemon.engines", 1}});
  timeline.append(1.0, {{"daemon.fds", 11}, {"daemon.engines", 3}});
  EXPECT_EQ(timeline.size(), 3u);
  const auto engines = timeline.bucket_max("daemon.engines");
  ASSERT_EQ(engines.size(), 3u);
  EXPECT_TRUE(std::isnan(engines[0]));
  EXPECT_EQ(engines[2], 3);
  EXPECT_TRUE(timeline.bucket_max("daemon.rss").empty());
  EXPECT_EQ(timeline.bucket_times(), (std::vector<double>{0.0, 0.5, 1.0}));
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
  timeline.end_row();
  // A column with no value in a row is not part of that row's frame.
  EXPECT_EQ(timeline.last_row_frame(), (Frame{{"daemon.fds", 7}}));
  EXPECT_EQ(timeline.bucket_times(), std::vector<double>{0.25});
  EXPECT_EQ(timeline.size(), 1u);
}

TEST(Timeline, ColumnsBeyondTheLimitAreDroppedNotWritten) {
  Timeline timeline;
  for (size_t i = 0; i < Timeline::kMaxColumns; ++i) {
    EXPECT_EQ(timeline.column("m" + std::to_string(i)), i);
  }
  EXPECT_EQ(timeline.column("one.too.many"), Timeline::kNoColumn);
  const size_t row = timeline.begin_row(1.0);
  timeline.set(row, timeline.column("one.too.many"), 1);
  timeline.set(row, timeline.column("m0"), 2);
  timeline.set(row, Timeline::kNoColumn, 3);  // ignored, not out of bounds
  EXPECT_FALSE(timeline.has(row, Timeline::kNoColumn));
  timeline.end_row();
  EXPECT_EQ(timeline.last_row_frame(), (Frame{{"m0", 2}}));
  EXPECT_TRUE(timeline.bucket_max("one.too.many").empty());
}

TEST(Timeline, FullBucketsMergePairwiseAndKeepMinAndMax) {
  Timeline timeline;
  const size_t n = Timeline::kMaxBuckets;
  for (size_t i = 0; i < n; ++i) timeline.append(static_cast<double>(i), {{"m", double(i % 7)}});
  EXPECT_EQ(timeline.bucket_count(), n);
  EXPECT_EQ(timeline.rows_per_bucket(), 1u);
  timeline.append(static_cast<double>(n), {{"m", 100}});  // one more: pairs merge
  EXPECT_EQ(timeline.rows_per_bucket(), 2u);
  EXPECT_EQ(timeline.bucket_count(), n / 2 + 1);
  const auto max = timeline.bucket_max("m");
  const auto min = timeline.bucket_min("m");
  const auto times = timeline.bucket_times();
  for (size_t b = 0; b < n / 2; ++b) {
    EXPECT_EQ(max[b], std::max((2 * b) % 7, (2 * b + 1) % 7)) << b;
    EXPECT_EQ(min[b], std::min((2 * b) % 7, (2 * b + 1) % 7)) << b;
    EXPECT_EQ(times[b], static_cast<double>(2 * b));  // the first row's time
  }
  EXPECT_EQ(max[n / 2], 100);  // the new row starts a bucket of its own
  EXPECT_EQ(timeline.size(), n + 1);
}

TEST(Timeline, MemoryStaysBoundedAndEveryPeakSurvivesTheMerges) {
  Timeline timeline;
  const size_t rows = 100 * Timeline::kMaxBuckets + 3;
  for (size_t i = 0; i < rows; ++i) {
    const double spike = i == 77777 ? 1000 : (i == 12345 ? -5 : 1);
    timeline.append(static_cast<double>(i) * 1e-3, {{"m", spike}});
  }
  EXPECT_LE(timeline.bucket_count(), Timeline::kMaxBuckets);
  EXPECT_GT(timeline.bucket_count(), Timeline::kMaxBuckets / 2);
  const auto max = timeline.bucket_max("m");
  const auto min = timeline.bucket_min("m");
  EXPECT_EQ(*std::max_element(max.begin(), max.end()), 1000);
  EXPECT_EQ(*std::min_element(min.begin(), min.end()), -5);
  // The spike sits in the bucket that holds its row.
  EXPECT_EQ(max[77777 / timeline.rows_per_bucket()], 1000);
}

TEST(Timeline, PeakCoversExactlyTheWindowUpToTheLastMark) {
  Timeline timeline;
  // Enough rows that buckets hold many rows and straddle the window's edges.
  for (int i = 0; i < 5000; ++i) timeline.append(i, {{"m", i == 4999 ? 500.0 : 1.0}});
  EXPECT_TRUE(std::isnan(timeline.peak("m")));  // no window yet
  timeline.open_peak_window();
  EXPECT_TRUE(std::isnan(timeline.peak("m")));  // opened, never marked
  timeline.append(5000, {{"m", 3}});
  timeline.append(5001, {{"m", 9}});
  timeline.mark_peak_window();
  timeline.append(5002, {{"m", 4}});
  timeline.mark_peak_window();
  timeline.append(5003, {{"m", 99}});  // after the last mark (the final settle)
  EXPECT_EQ(timeline.peak("m"), 9);
  ASSERT_TRUE(timeline.peak_window_rows());
  EXPECT_EQ(*timeline.peak_window_rows(), (std::pair<size_t, size_t>{5000, 5002}));
  // The bucket holding row 4999 (500) is partly before the window: its max is no peak.
  const auto max = timeline.bucket_max("m");
  EXPECT_EQ(*std::max_element(max.begin(), max.end()), 500);
  EXPECT_TRUE(std::isnan(timeline.peak("absent")));
  // Opening again (a second baseline) starts over.
  timeline.open_peak_window();
  timeline.append(5004, {{"m", 2}});
  timeline.mark_peak_window();
  EXPECT_EQ(timeline.peak("m"), 2);
}

TEST(TimelineFile, RoundTripsEveryRowExactly) {
  const std::string path = temp_path("timeline-roundtrip.lgt");
  std::vector<std::vector<double>> written;
  std::vector<double> times;
  {
    Timeline timeline;
    std::string error;
    ASSERT_TRUE(timeline.stream_to(path, error)) << error;
    const double values[] = {0, 1, -1, 1e15, -7.25, 3.5, 1e300, 9007199254740993.0, 42};
    for (int i = 0; i < 20000; ++i) {
      Frame frame{
          {"a", static_cast<double>(i)}, {"b", values[i % 9]}, {"rss", 15.0e6 + (i % 13) * 4096}};
      if (i % 3 == 0) frame.erase("b");             // absent cells
      if (i > 100) frame["late.column"] = -i;       // a column that appears later
      const double t = 0.001 * i + 1e-7 * (i % 2);  // below a microsecond: rounded
      timeline.append(t, frame);
      times.push_back(std::round(t * 1e6) / 1e6);
      written.push_back({});
      for (const auto& name : timeline.columns())
        written.back().push_back(frame.count(name) ? frame[name] : kAbsent);
    }
    timeline.flush_file();
    EXPECT_EQ(timeline.file_error(), "");
  }
  TimelineFileReader reader(path);
  TimelineFileReader::Row row;
  size_t n = 0;
  while (reader.next(row)) {
    ASSERT_LT(n, written.size());
    EXPECT_DOUBLE_EQ(row.t_s, times[n]) << n;
    ASSERT_EQ(row.values.size(), written[n].size()) << n;
    for (size_t c = 0; c < row.values.size(); ++c) {
      if (std::isnan(written[n][c]))
        EXPECT_TRUE(std::isnan(row.values[c])) << n << " " << c;
      else
        EXPECT_EQ(row.values[c], written[n][c]) << n << " " << c;
    }
    ++n;
  }
  EXPECT_EQ(n, written.size());
  EXPECT_EQ(reader.columns(), (std::vector<std::string>{"a", "rss", "b", "late.column"}));
  std::remove(path.c_str());
}

TEST(TimelineFile, PeaksOfTheFileMatchThePeaksKeptInMemory) {
  const std::string path = temp_path("timeline-peaks.lgt");
  Timeline timeline;
  std::string error;
  ASSERT_TRUE(timeline.stream_to(path, error)) << error;
  for (int i = 0; i < 30000; ++i) {
    if (i == 1000) timeline.open_peak_window();
    if (i > 1000 && i % 7 == 0) timeline.mark_peak_window();
    timeline.append(i * 1e-3, {{"m", double((i * 7919) % 10007)}, {"spiky", i == 999 ? 1e9 : 1}});
  }
  timeline.flush_file();
  const auto window = timeline.peak_window_rows();
  ASSERT_TRUE(window);
  TimelineFileReader reader(path);
  TimelineFileReader::Row row;
  std::vector<double> peak(2, kAbsent);
  for (size_t index = 0; reader.next(row); ++index) {
    if (index < window->first || index > window->second) continue;
    for (size_t c = 0; c < 2; ++c) peak[c] = std::fmax(peak[c], row.values[c]);
  }
  EXPECT_EQ(timeline.peak("m"), peak[0]);
  EXPECT_EQ(timeline.peak("spiky"), 1);  // the spike is one row before the window
  EXPECT_EQ(peak[1], 1);
  std::remove(path.c_str());
}

TEST(TimelineFile, RefusesAFileThatIsNoTimelineAndATruncatedOne) {
  const std::string path = temp_path("timeline-bad.lgt");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("not a timeline\n", f);
    std::fclose(f);
  }
  EXPECT_THROW(TimelineFileReader{path}, std::runtime_error);
  {
    Timeline timeline;
    std::string error;
    ASSERT_TRUE(timeline.stream_to(path, error));
    timeline.append(1, {{"m", 1.5}});
    timeline.flush_file();
  }
  ::truncate(path.c_str(), static_cast<off_t>(kTimelineFileMagic.size() + 8));
  TimelineFileReader reader(path);
  TimelineFileReader::Row row;
  EXPECT_THROW(reader.next(row), std::runtime_error);
  std::remove(path.c_str());
}

TEST(Checkpoints, ThinnedOutToMultiplesOfEveryAndBounded) {
  Checkpoints checkpoints;
  const int n = 10000;
  for (int i = 1; i <= n; ++i) checkpoints.add(i, i * 0.01, {{"m", 3.0 * i}});
  EXPECT_LE(checkpoints.size(), Checkpoints::kMaxKept);
  EXPECT_GT(checkpoints.size(), Checkpoints::kMaxKept / 2);
  EXPECT_EQ(checkpoints.every(), 8);
  const auto values = checkpoints.values("m");
  ASSERT_EQ(values.size(), checkpoints.size());
  for (size_t k = 0; k < checkpoints.size(); ++k) {
    const int iteration = checkpoints.iterations()[k];
    EXPECT_EQ(iteration, static_cast<int>(k + 1) * checkpoints.every());
    EXPECT_EQ(values[k], 3.0 * iteration);
    EXPECT_DOUBLE_EQ(checkpoints.times()[k], iteration * 0.01);
  }
  EXPECT_EQ(checkpoints.last_iteration(), n);
  checkpoints.clear();
  EXPECT_EQ(checkpoints.size(), 0u);
  EXPECT_EQ(checkpoints.every(), 1);
}

TEST(Checkpoints, AShortRunKeepsEveryCheckpoint) {
  Checkpoints checkpoints;
  for (int i = 1; i <= 40; ++i) checkpoints.add(i, i, {{"m", 1}});
  EXPECT_EQ(checkpoints.size(), 40u);
  EXPECT_EQ(checkpoints.every(), 1);
  EXPECT_TRUE(checkpoints.values("absent").empty());
}

}  // namespace
}  // namespace leakgate
