// The sampled figures of a run at bounded memory, whatever the run's length:
//  - every row streams to a timeline file when one is attached (timeline_file.h), the full
//    resolution;
//  - memory keeps a downsampled view: at most kMaxBuckets buckets of consecutive rows, each
//    with the min and max of every metric (so no peak is lost to the downsampling); when all
//    are taken, neighbours merge pairwise and a bucket spans twice as many rows;
//  - the exact peak of every metric over the measured window (open_peak_window() to the last
//    mark_peak_window(), i.e. the last checkpoint).
// Storage is allocated and touched up front, so recording samples does not show up as a
// steady heap or RSS growth of the harness itself (client.heap and client.rss are judged too).
#pragma once

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

inline constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

// One sample: metric name -> value. Only present figures are stored.
using Frame = std::map<std::string, double>;

class TimelineFileWriter;

class Timeline {
 public:
  static constexpr size_t kMaxColumns = 64;  // metrics beyond this are not recorded
  static constexpr size_t kNoColumn = kMaxColumns;
  static constexpr size_t kMaxBuckets = 2048;  // between half and all of it in use
  Timeline();

  // From now on every row also goes to `path` (created). False, with `error`, when it cannot.
  bool stream_to(const std::string& path, std::string& error);
  // Writes out what the file buffer holds; the file's path, or empty when none is attached.
  void flush_file();
  const std::string& file_path() const { return file_path_; }
  // Set when writing the file failed (the file is then incomplete).
  std::string file_error() const;

  // Records one complete row; returns its index.
  size_t append(double t_s, const Frame& frame);

  // The allocation-free way to record (the sampler's 1 kHz path): resolve each metric's
  // column once, then per sample begin a row, set its cells and end it.
  // The column of a metric, added on first use; kNoColumn once kMaxColumns are taken.
  size_t column(std::string_view metric);
  size_t begin_row(double t_s);  // all cells absent; returns the row's index
  // `row` is the row begun last (the only one that can still change).
  void set(size_t /*row*/, size_t column, double value) {
    if (column < kMaxColumns) current_[column] = value;
  }
  bool has(size_t /*row*/, size_t column) const {
    return column < kMaxColumns && !std::isnan(current_[column]);
  }
  void end_row();                // into the file, the buckets and the peaks
  Frame last_row_frame() const;  // the figures present in the row begun last

  size_t size() const { return rows_; }  // rows recorded (ended)
  const std::vector<std::string>& columns() const { return columns_; }

  // The bounded view: bucket i holds rows [i * rows_per_bucket(), (i+1) * rows_per_bucket()).
  size_t bucket_count() const { return buckets_; }
  size_t rows_per_bucket() const { return rows_per_bucket_; }
  std::vector<double> bucket_times() const;  // the time of each bucket's first row
  // Max (or min) of a metric per bucket, NaN where absent throughout; empty if never seen.
  std::vector<double> bucket_max(const std::string& metric) const;
  std::vector<double> bucket_min(const std::string& metric) const;

  // The measured window: rows after open_peak_window() up to the row ended last before the
  // latest mark_peak_window(). Opening again starts a new window.
  void open_peak_window();
  void mark_peak_window();
  // The exact max of a metric over the window; NaN if absent there or never marked.
  double peak(const std::string& metric) const;
  // The window's first and last row indexes (as in the file), once marked.
  std::optional<std::pair<size_t, size_t>> peak_window_rows() const;

 private:
  double* bucket(size_t index) { return &envelope_[index * 2 * kMaxColumns]; }
  const double* bucket(size_t index) const { return &envelope_[index * 2 * kMaxColumns]; }
  void merge_buckets();
  std::vector<double> bucket_series(const std::string& metric, size_t offset) const;

  std::vector<double> current_;  // the row being recorded, kMaxColumns cells
  bool row_open_ = false;
  double current_t_ = 0;
  size_t rows_ = 0;
  // kMaxBuckets buckets of kMaxColumns mins then kMaxColumns maxes.
  std::vector<double> envelope_;
  std::vector<double> bucket_t_;  // kMaxBuckets
  size_t buckets_ = 0;
  size_t rows_per_bucket_ = 1;
  size_t rows_in_last_bucket_ = 0;
  std::vector<double> running_peak_;  // kMaxColumns
  std::vector<double> marked_peak_;   // kMaxColumns
  bool window_open_ = false;
  bool window_marked_ = false;
  size_t window_first_row_ = 0;
  size_t window_last_row_ = 0;
  std::vector<std::string> columns_;
  std::map<std::string, size_t, std::less<>> index_;
  std::shared_ptr<TimelineFileWriter> file_;  // shared by copies; written by the sampler's
  std::string file_path_;
};

}  // namespace leakgate
