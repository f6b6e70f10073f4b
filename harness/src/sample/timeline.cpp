#include "sample/timeline.h"

#include "sample/timeline_file.h"

namespace leakgate {

Timeline::Timeline()
    : current_(kMaxColumns, kAbsent),
      envelope_(kMaxBuckets * 2 * kMaxColumns, kAbsent),
      bucket_t_(kMaxBuckets, 0.0),
      running_peak_(kMaxColumns, kAbsent),
      marked_peak_(kMaxColumns, kAbsent) {
  columns_.reserve(kMaxColumns);
}

bool Timeline::stream_to(const std::string& path, std::string& error) {
  auto writer = TimelineFileWriter::create(path, error);
  if (!writer) return false;
  file_ = std::make_shared<TimelineFileWriter>(std::move(*writer));
  file_path_ = path;
  for (size_t c = 0; c < columns_.size(); ++c) file_->add_column(c, columns_[c]);
  return true;
}

void Timeline::flush_file() {
  if (file_) file_->flush();
}

std::string Timeline::file_error() const { return file_ ? file_->error() : std::string(); }

size_t Timeline::append(double t_s, const Frame& frame) {
  const size_t row = begin_row(t_s);
  for (const auto& [metric, value] : frame) set(row, column(metric), value);
  end_row();
  return row;
}

size_t Timeline::column(std::string_view metric) {
  if (auto it = index_.find(metric); it != index_.end()) return it->second;
  if (columns_.size() == kMaxColumns) return kNoColumn;
  index_.emplace(std::string(metric), columns_.size());
  columns_.emplace_back(metric);
  if (file_) file_->add_column(columns_.size() - 1, metric);
  return columns_.size() - 1;
}

size_t Timeline::begin_row(double t_s) {
  if (row_open_) end_row();
  std::fill(current_.begin(), current_.end(), kAbsent);
  current_t_ = t_s;
  row_open_ = true;
  return rows_;
}

void Timeline::end_row() {
  if (!row_open_) return;
  row_open_ = false;
  const size_t columns = columns_.size();
  if (file_) file_->add_row(current_t_, current_.data(), columns);
  if (buckets_ == 0 || rows_in_last_bucket_ == rows_per_bucket_) {
    if (buckets_ == kMaxBuckets) merge_buckets();
    double* fresh = bucket(buckets_);
    std::fill(fresh, fresh + 2 * kMaxColumns, kAbsent);
    bucket_t_[buckets_] = current_t_;
    ++buckets_;
    rows_in_last_bucket_ = 0;
  }
  double* last = bucket(buckets_ - 1);
  for (size_t c = 0; c < columns; ++c) {
    const double value = current_[c];
    if (std::isnan(value)) continue;
    last[c] = std::fmin(last[c], value);  // fmin/fmax take the number over a NaN
    last[kMaxColumns + c] = std::fmax(last[kMaxColumns + c], value);
    if (window_open_) running_peak_[c] = std::fmax(running_peak_[c], value);
  }
  ++rows_in_last_bucket_;
  ++rows_;
}

// All buckets are full: each pair becomes one, and a bucket spans twice the rows.
void Timeline::merge_buckets() {
  for (size_t i = 0; i < buckets_ / 2; ++i) {
    const double* a = bucket(2 * i);
    const double* b = bucket(2 * i + 1);
    double* merged = bucket(i);
    for (size_t c = 0; c < kMaxColumns; ++c) {
      merged[c] = std::fmin(a[c], b[c]);
      merged[kMaxColumns + c] = std::fmax(a[kMaxColumns + c], b[kMaxColumns + c]);
    }
    bucket_t_[i] = bucket_t_[2 * i];
  }
  buckets_ /= 2;
  rows_per_bucket_ *= 2;
  rows_in_last_bucket_ = rows_per_bucket_;
}

Frame Timeline::last_row_frame() const {
  Frame frame;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (!std::isnan(current_[c])) frame.emplace(columns_[c], current_[c]);
  }
  return frame;
}

std::vector<double> Timeline::bucket_times() const {
  return std::vector<double>(bucket_t_.begin(), bucket_t_.begin() + static_cast<long>(buckets_));
}

std::vector<double> Timeline::bucket_series(const std::string& metric, size_t offset) const {
  auto it = index_.find(metric);
  if (it == index_.end()) return {};
  std::vector<double> values;
  values.reserve(buckets_);
  for (size_t i = 0; i < buckets_; ++i) values.push_back(bucket(i)[offset + it->second]);
  return values;
}

std::vector<double> Timeline::bucket_max(const std::string& metric) const {
  return bucket_series(metric, kMaxColumns);
}

std::vector<double> Timeline::bucket_min(const std::string& metric) const {
  return bucket_series(metric, 0);
}

void Timeline::open_peak_window() {
  if (row_open_) end_row();
  window_open_ = true;
  window_marked_ = false;
  window_first_row_ = rows_;
  std::fill(running_peak_.begin(), running_peak_.end(), kAbsent);
  std::fill(marked_peak_.begin(), marked_peak_.end(), kAbsent);
}

void Timeline::mark_peak_window() {
  if (row_open_) end_row();
  if (!window_open_ || rows_ == window_first_row_) return;
  marked_peak_ = running_peak_;
  window_marked_ = true;
  window_last_row_ = rows_ - 1;
}

double Timeline::peak(const std::string& metric) const {
  auto it = index_.find(metric);
  if (it == index_.end() || !window_marked_) return kAbsent;
  return marked_peak_[it->second];
}

std::optional<std::pair<size_t, size_t>> Timeline::peak_window_rows() const {
  if (!window_marked_) return std::nullopt;
  return std::make_pair(window_first_row_, window_last_row_);
}

}  // namespace leakgate
