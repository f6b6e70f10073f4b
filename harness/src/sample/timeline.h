// Column-oriented record of sampled figures: one row per sample, NaN where a figure is absent.
// Storage is reserved and touched up front (growing by doubling past that), so recording
// samples does not show up as a steady heap or RSS growth of the harness itself: client.heap
// and client.rss are judged too.
#pragma once

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

inline constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

// One sample: metric name -> value. Only present figures are stored.
using Frame = std::map<std::string, double>;

class Timeline {
 public:
  static constexpr size_t kMaxColumns = 64;  // metrics beyond this are not recorded
  static constexpr size_t kNoColumn = kMaxColumns;
  explicit Timeline(size_t reserve_rows = 0);

  // Returns the row index of the new sample.
  size_t append(double t_s, const Frame& frame);

  // The allocation-free way to record (the sampler's 1 kHz path): resolve each metric's
  // column once, then per sample start a row and set its cells.
  // The column of a metric, added on first use; kNoColumn once kMaxColumns are taken.
  size_t column(std::string_view metric);
  size_t begin_row(double t_s);  // all cells absent
  void set(size_t row, size_t column, double value) {
    if (column < kMaxColumns) cells_[row * kMaxColumns + column] = value;
  }
  bool has(size_t row, size_t column) const {
    return column < kMaxColumns && !std::isnan(cell(row, column));
  }
  Frame row_frame(size_t row) const;  // the figures present in one row

  size_t size() const { return times_.size(); }
  const std::vector<double>& times() const { return times_; }
  const std::vector<std::string>& columns() const { return columns_; }
  // The value of a metric in one row; NaN where absent.
  double value(size_t row, const std::string& metric) const;
  // Values of one metric, one per row (NaN where absent); empty if never seen.
  std::vector<double> series(const std::string& metric) const;
  // Max of a metric over rows with start <= t <= end; NaN if never present there.
  double max_between(const std::string& metric, double start_s, double end_s) const;

 private:
  double cell(size_t row, size_t column) const { return cells_[row * kMaxColumns + column]; }
  std::vector<double> times_;
  std::vector<double> cells_;  // row-major, kMaxColumns per row
  std::vector<std::string> columns_;
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace leakgate
