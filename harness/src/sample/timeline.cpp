#include "sample/timeline.h"

namespace leakgate {

Timeline::Timeline(size_t reserve_rows) {
  // Touch the reserved pages now: filled as samples arrive, they would show up as a steady
  // RSS growth of the harness (client.rss) although nothing leaks.
  times_.resize(reserve_rows, 0.0);
  times_.clear();
  cells_.resize(reserve_rows * kMaxColumns, kAbsent);
  cells_.clear();
  columns_.reserve(kMaxColumns);
}

size_t Timeline::append(double t_s, const Frame& frame) {
  const size_t row = begin_row(t_s);
  for (const auto& [metric, value] : frame) set(row, column(metric), value);
  return row;
}

size_t Timeline::column(std::string_view metric) {
  if (auto it = index_.find(metric); it != index_.end()) return it->second;
  if (columns_.size() == kMaxColumns) return kNoColumn;
  index_.emplace(std::string(metric), columns_.size());
  columns_.emplace_back(metric);
  return columns_.size() - 1;
}

size_t Timeline::begin_row(double t_s) {
  const size_t row = times_.size();
  times_.push_back(t_s);
  cells_.resize(cells_.size() + kMaxColumns, kAbsent);
  return row;
}

Frame Timeline::row_frame(size_t row) const {
  Frame frame;
  if (row >= times_.size()) return frame;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (!std::isnan(cell(row, c))) frame.emplace(columns_[c], cell(row, c));
  }
  return frame;
}

double Timeline::value(size_t row, const std::string& metric) const {
  auto it = index_.find(metric);
  if (it == index_.end() || row >= times_.size()) return kAbsent;
  return cell(row, it->second);
}

std::vector<double> Timeline::series(const std::string& metric) const {
  auto it = index_.find(metric);
  if (it == index_.end()) return {};
  std::vector<double> values;
  values.reserve(times_.size());
  for (size_t row = 0; row < times_.size(); ++row) values.push_back(cell(row, it->second));
  return values;
}

double Timeline::max_between(const std::string& metric, double start_s, double end_s) const {
  auto it = index_.find(metric);
  if (it == index_.end()) return kAbsent;
  double best = kAbsent;
  for (size_t row = 0; row < times_.size(); ++row) {
    if (times_[row] < start_s || times_[row] > end_s) continue;
    const double value = cell(row, it->second);
    if (std::isnan(value)) continue;
    if (std::isnan(best) || value > best) best = value;
  }
  return best;
}

}  // namespace leakgate
