#include "sample/step_figures.h"

#include <unistd.h>

#include "leakgate/registry.h"

namespace leakgate {
namespace {

std::optional<ProcessProbe> probe_of(pid_t pid) {
  try {
    return ProcessProbe(pid);
  } catch (const ProbeError&) {
    return std::nullopt;  // gone already: no figures
  }
}

}  // namespace

StepFigures::StepFigures(pid_t daemon_pid, std::string counter_path)
    : daemon_pid_(daemon_pid),
      daemon_(probe_of(daemon_pid)),
      self_(probe_of(::getpid())),
      counter_path_(std::move(counter_path)) {}

Frame StepFigures::read() {
  Frame figures;
  if (daemon_) {
    if (auto fds = daemon_->fd_count()) figures["daemon.fds"] = static_cast<double>(*fds);
    if (auto threads = daemon_->threads())
      figures["daemon.threads"] = static_cast<double>(*threads);
  }
  if (!counters_ && !counter_path_.empty()) counters_ = CounterFileReader::open(counter_path_);
  if (counters_ && daemon_) {
    const size_t kinds = counters_->kind_count();
    while (kind_metrics_.size() < kinds)
      kind_metrics_.push_back("daemon." + std::string(counters_->kind_name(kind_metrics_.size())));
    // As the sampler does: /proc's fd count stays the figure of record (emplace keeps it).
    for (size_t i = 0; i < kinds; ++i)
      figures.emplace(kind_metrics_[i], static_cast<double>(counters_->kind_live(i)));
    if (auto heap = counters_->heap_bytes()) figures["daemon.heap"] = static_cast<double>(*heap);
  }
  if (self_) {
    if (auto fds = self_->fd_count()) figures["client.fds"] = static_cast<double>(*fds);
    if (auto threads = self_->threads()) figures["client.threads"] = static_cast<double>(*threads);
  }
  Registry::global().for_each_live([&](size_t, std::string_view name, int64_t live) {
    figures.emplace("client." + std::string(name), static_cast<double>(live));
  });
  return figures;
}

}  // namespace leakgate
