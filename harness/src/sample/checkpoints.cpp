#include "sample/checkpoints.h"

#include <cmath>

namespace leakgate {

Checkpoints::Checkpoints() {
  iterations_.reserve(kMaxKept);
  times_.reserve(kMaxKept);
  // Touched now: filled as iterations run, it would read as a steady growth of the harness.
  cells_.resize(kMaxKept * kMaxColumns, kAbsent);
  cells_.clear();
}

void Checkpoints::clear() {
  iterations_.clear();
  times_.clear();
  cells_.clear();
  every_ = 1;
  last_iteration_ = 0;
  last_t_s_ = -1;
}

void Checkpoints::add(int iteration, double t_s, const Frame& frame) {
  last_iteration_ = iteration;
  last_t_s_ = t_s;
  if (iteration % every_ != 0) return;
  if (iterations_.size() == kMaxKept) {
    thin_out();
    if (iteration % every_ != 0) return;
  }
  iterations_.push_back(iteration);
  times_.push_back(t_s);
  const size_t row = cells_.size();
  cells_.resize(row + kMaxColumns, kAbsent);
  for (const auto& [metric, value] : frame) {
    auto it = index_.find(metric);
    if (it == index_.end()) {
      if (index_.size() == kMaxColumns) continue;
      it = index_.emplace(metric, index_.size()).first;
    }
    cells_[row + it->second] = value;
  }
}

void Checkpoints::thin_out() {
  every_ *= 2;
  size_t kept = 0;
  for (size_t i = 0; i < iterations_.size(); ++i) {
    if (iterations_[i] % every_ != 0) continue;
    iterations_[kept] = iterations_[i];
    times_[kept] = times_[i];
    std::copy_n(cells_.begin() + static_cast<long>(i * kMaxColumns), kMaxColumns,
                cells_.begin() + static_cast<long>(kept * kMaxColumns));
    ++kept;
  }
  iterations_.resize(kept);
  times_.resize(kept);
  cells_.resize(kept * kMaxColumns);
}

std::vector<double> Checkpoints::values(const std::string& metric) const {
  auto it = index_.find(metric);
  if (it == index_.end()) return {};
  std::vector<double> values;
  values.reserve(iterations_.size());
  for (size_t i = 0; i < iterations_.size(); ++i)
    values.push_back(cells_[i * kMaxColumns + it->second]);
  return values;
}

int Checkpoints::iterations_apart(const std::string& metric) const {
  const std::vector<double> series = values(metric);
  int apart = 0;
  int previous = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    if (std::isnan(series[i])) continue;  // not taken at this checkpoint
    if (previous > 0) {
      const int gap = iterations_[i] - previous;
      if (apart != 0 && gap != apart) return every_;  // uneven: the plain spacing, as before
      apart = gap;
    }
    previous = iterations_[i];
  }
  return apart > 0 ? apart : every_;
}

}  // namespace leakgate
