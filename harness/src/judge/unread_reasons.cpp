#include "judge/unread_reasons.h"

#include "leakgate/metrics.h"

namespace leakgate {
namespace {

const SourceState* find_source(const std::vector<SourceState>& sources, std::string_view name) {
  for (const SourceState& source : sources)
    if (source.name == name || (name == kScrapeSource && source.name.starts_with(kScrapeSource)))
      return &source;
  return nullptr;
}

}  // namespace

UnreadReasons unread_reasons(const std::vector<SourceState>& sources,
                             const std::optional<std::string>& at_exit_unmeasured,
                             const Scenario& scenario) {
  const SourceState* proc = find_source(sources, kProcSource);
  const SourceState* file = find_source(sources, kCounterFileSource);
  const SourceState* scrape = find_source(sources, kScrapeSource);
  const SourceState* preload_heap = find_source(sources, kPreloadHeapSource);
  const SourceState* counters = file ? file : scrape;
  const auto down = [](const SourceState& source) {
    return source.reason.empty() ? source.name + " delivered nothing" : source.reason;
  };
  UnreadReasons unread;
  if (at_exit_unmeasured) unread.daemon_at_exit = *at_exit_unmeasured;
  if (sources.empty()) return unread;  // nobody recorded them: evaluate()'s generic reason
  std::vector<std::string> metrics;
  for (const MetricInfo& info : metric_catalogue(scenario.declared_kinds))
    metrics.push_back(info.name);
  for (const auto& [metric, budget] : scenario.budgets) metrics.push_back(metric);
  for (const std::string& metric : metrics) {
    const auto info = find_metric(metric, scenario.declared_kinds);
    if (!info) continue;
    const bool daemon = info->side == MetricSide::kDaemon;
    std::string reason;
    if (info->source == MetricSource::kSmapsRollup) {
      reason = "pss is not sampled (no source reads smaps_rollup)";
    } else if (info->source == MetricSource::kDescendants) {
      reason = daemon ? "looked for once the daemon has stopped, and it never started"
                      : "the harness has no orphans figure";
    } else if (info->source == MetricSource::kCgroup) {
      const SourceState* cgroup = find_source(sources, kCgroupSource);
      if (!daemon) {
        reason = "the harness is not in a cgroup of its own";
      } else if (!scenario.daemon.cgroup) {
        reason = "daemon.cgroup is false";
      } else {
        reason =
            cgroup ? down(*cgroup) : "no per-test cgroup on this machine (the warnings say why)";
      }
    } else if (info->source == MetricSource::kHeap) {
      if (!daemon) {
        reason = "no heap figure: the harness runs without tcmalloc";
      } else if (preload_heap && !preload_heap->live) {
        reason = down(*preload_heap);
      } else if (counters && !counters->live) {
        reason = down(*counters);
      } else if (counters) {
        reason = file ? "no heap figure: the daemon runs without tcmalloc or the preload library"
                      : "no heap figure: the scrape has no leakgate_heap_bytes";
      } else {
        reason = "no heap figure: daemon.counters is none";
      }
    } else if (info->source == MetricSource::kCounter) {
      if (!daemon) {
        reason = "the harness never counted a " + info->resource + " object";
      } else if (counters && !counters->live) {
        reason = down(*counters);
      } else if (counters) {
        reason = file ? "the counter file never listed the kind " + info->resource
                      : "the scrape never had leakgate_" + info->resource + "_live";
      } else {
        reason = "no counted objects: daemon.counters is none";
      }
    } else if (daemon) {
      reason = proc && !proc->live ? down(*proc) : "/proc never delivered it";
    } else {
      reason = "the harness's /proc entry never delivered it";
    }
    unread.metrics[metric] = reason;
  }
  if (at_exit_unmeasured) {
    // set above
  } else if (scrape && !file) {
    unread.daemon_at_exit =
        "no at-exit figure: a scrape ends with the daemon (a counter file outlives it)";
  } else if (!counters) {
    unread.daemon_at_exit = "no at-exit figure: daemon.counters is none";
  } else if (file && !file->live) {
    unread.daemon_at_exit = down(*file);
  }
  return unread;
}

}  // namespace leakgate
