// Sampler::step_figures(): what the runner reads after every step of a measured iteration to
// attribute growth to steps (judge/step_attribution.h). Only figures that cost a few
// microseconds: no fd classification, no RSS (page faults move it without a leak), no scrape.
#include "leakgate/registry.h"
#include "sample/sampler.h"

namespace leakgate {

Frame Sampler::step_figures() {
  Frame figures;
  if (sample_hz_ <= 0) return figures;
  std::lock_guard lock(mutex_);
  if (daemon_probe_) {
    if (auto fds = daemon_probe_->fd_count()) figures["daemon.fds"] = static_cast<double>(*fds);
    if (auto threads = daemon_probe_->threads())
      figures["daemon.threads"] = static_cast<double>(*threads);
    if (descendants_ != nullptr)
      figures["daemon.children"] = static_cast<double>(descendants_->scan());
  }
  if (daemon_probe_ && counters_.kind == CounterSource::Kind::kShm) {
    if (!counter_reader_) counter_reader_ = CounterFileReader::open(counters_.counter_path);
    if (counter_reader_) {
      for (size_t i = 0; i < counter_reader_->kind_count(); ++i) {
        // As in record_counters: /proc's fd count stays the figure of record.
        figures.emplace("daemon." + std::string(counter_reader_->kind_name(i)),
                        static_cast<double>(counter_reader_->kind_live(i)));
      }
      if (auto heap = counter_reader_->heap_bytes())
        figures["daemon.heap"] = static_cast<double>(*heap);
    }
  }
  if (!self_probe_) return figures;
  if (auto fds = self_probe_->fd_count()) figures["client.fds"] = static_cast<double>(*fds);
  if (auto threads = self_probe_->threads())
    figures["client.threads"] = static_cast<double>(*threads);
  Registry::global().for_each_live([&](size_t, std::string_view name, int64_t live) {
    figures.emplace("client." + std::string(name), static_cast<double>(live));
  });
  return figures;
}

}  // namespace leakgate
