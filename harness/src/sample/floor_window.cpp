#include "sample/floor_window.h"

#include <algorithm>
#include <cmath>

#include "leakgate/metrics.h"

namespace leakgate {

const char* to_string(PeriodSource source) {
  switch (source) {
    case PeriodSource::kLearnt: return "learnt";
    case PeriodSource::kDeclared: return "declared";
    case PeriodSource::kNone: break;
  }
  return "none";
}

namespace {

std::string identity_target(const std::string& target) {
  constexpr std::string_view kDeleted = " (deleted)";
  if (target.ends_with(kDeleted)) return target.substr(0, target.size() - kDeleted.size());
  return target;
}

}  // namespace

// By unit, not by name: daemon.cgroup.memory is bytes too (and cgroup v1 batches its charges
// per CPU, so it moves by ~100 KiB with nothing allocated: waiting for it to come back to its
// floor held the final window to settle.confirm_max).
bool is_integer_figure(const std::string& metric) {
  return metric_unit(metric) == MetricUnit::kCount;
}

void FloorWindow::add(double t_s, const Frame& frame, const std::vector<FdInfo>& fds) {
  bool rose = false;
  for (const auto& [metric, value] : frame) {
    if (std::isnan(value)) continue;
    auto [floor, fresh] = floor_.try_emplace(metric, value);
    if (!fresh) floor->second = std::min(floor->second, value);
    auto [high, new_high] = high_.try_emplace(metric, value);
    if (!new_high) high->second = std::max(high->second, value);
    values_[metric].push_back(value);
    if (!is_integer_figure(metric)) continue;
    const auto before = previous_.find(metric);
    if (samples_ == 0 || before == previous_.end()) continue;
    if (value > before->second) rose = true;
    if (value < before->second) saw_fall_ = true;
  }
  std::vector<FdKey> keys;
  keys.reserve(fds.size());
  for (const FdInfo& fd : fds) {
    keys.emplace_back(fd.pid, fd.fd, fd.type, identity_target(fd.target));
    FdSeen& seen = fd_seen_[keys.back()];
    ++seen.samples;
    seen.target = fd.target;
  }
  std::sort(keys.begin(), keys.end());
  for (const FdKey& key : keys) {
    if (samples_ > 0 && !std::binary_search(previous_fds_.begin(), previous_fds_.end(), key))
      rose = true;
  }
  for (const FdKey& key : previous_fds_)
    if (!std::binary_search(keys.begin(), keys.end(), key)) saw_fall_ = true;
  // One excursion is one rise: a sample that rises right after a rising one continues it.
  const bool continues = !rises_.empty() && last_rose_;
  if (rose && !continues) rises_.push_back(t_s);
  last_rose_ = rose;
  if (samples_ == 0) first_t_ = t_s;
  last_t_ = t_s;
  ++samples_;
  previous_ = frame;
  previous_fds_ = std::move(keys);
}

std::optional<double> FloorWindow::learnt_period() const {
  if (rises_.size() < 2) return std::nullopt;
  return rises_.back() - rises_[rises_.size() - 2];
}

bool FloorWindow::above(const Frame& reference) const {
  for (const auto& [metric, floor] : floor_) {
    if (!is_integer_figure(metric)) continue;
    const auto before = reference.find(metric);
    if (before != reference.end() && floor > before->second) return true;
  }
  return false;
}

FloorReport FloorWindow::report(Level level) const {
  const bool most = level == Level::kMostSamples;
  FloorReport report;
  report.floor = floor_;
  if (most) {
    for (const auto& [metric, values] : values_) {
      std::vector<double> sorted = values;
      const size_t middle = sorted.size() / 2;
      std::nth_element(sorted.begin(), sorted.begin() + middle, sorted.end());
      report.floor[metric] = sorted[middle];
    }
  }
  report.samples = samples_;
  report.seconds = seconds();
  for (const auto& [key, seen] : fd_seen_) {
    FdInfo fd{std::get<1>(key), std::get<2>(key), seen.target, std::get<0>(key)};
    if (seen.samples == samples_ || (most && 2 * seen.samples > samples_))
      report.fds.push_back(std::move(fd));
    else if (std::binary_search(previous_fds_.begin(), previous_fds_.end(), key))
      report.opened_fds.push_back(std::move(fd));  // still open at the end: not transient
    else
      report.transient_fds.push_back(TransientFd{std::move(fd), seen.samples});
  }
  for (const auto& [metric, values] : values_) {
    if (!is_integer_figure(metric)) continue;
    const double floor = report.floor.at(metric);
    const double high = high_.at(metric);
    if (high <= floor || values.back() > floor) continue;  // never above, or still above
    const int above = static_cast<int>(
        std::count_if(values.begin(), values.end(), [&](double v) { return v > floor; }));
    report.transient_figures.push_back(TransientFigure{metric, floor, high, above});
  }
  return report;
}

}  // namespace leakgate
