// The metric catalogue: every name a budget or expect_violations may use, its unit, where
// the runner reads it from, and its documented default budget (docs/metrics.md).
//
// Names are "<side>.<resource>", side "daemon" or "client". Resources are the built-in
// OS/heap figures (fds, fds.socket, rss, heap, ...), the known counted kinds (sessions,
// engines, db_connections) and custom counted kinds. Custom kinds must be declared at the
// top of the scenario (`metrics: [widgets]`), so a typo like "daemon.engnes" is an error
// with a suggestion instead of a silently unguarded metric.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/scenario.h"

namespace leakgate {

enum class MetricSide { kDaemon, kClient };
enum class MetricUnit { kCount, kBytes };

// Where a figure comes from, so the runner knows which sampler to arm.
enum class MetricSource {
  kProcFd,        // count of /proc/PID/fd entries
  kProcFdType,    // /proc/PID/fd entries classified by readlink target
  kProcStatm,     // /proc/PID/statm resident pages
  kSmapsRollup,   // /proc/PID/smaps_rollup Pss (costly: sampled only when budgeted)
  kProcStatus,    // /proc/PID/status Threads
  kProcChildren,  // /proc/PID/task/*/children
  kHeap,          // tcmalloc current allocated bytes, via the counter file or /metrics
  kCounter,       // accounting-library live count of a kind, via the counter file or /metrics
  kDescendants,   // the daemon's descendants still alive after it stopped (then stopped)
  kCgroup,        // the daemon's per-test cgroup (spawn/daemon_cgroup.h)
};

struct MetricInfo {
  std::string name;  // "daemon.fds.socket"
  MetricSide side = MetricSide::kDaemon;
  std::string resource;  // "fds.socket", or the kind name for counters ("engines")
  MetricUnit unit = MetricUnit::kCount;
  MetricSource source = MetricSource::kCounter;
  bool custom = false;  // a kind declared by the scenario's `metrics:` list
};

// "daemon" / "client".
std::string_view side_name(MetricSide side);
// "count" / "bytes" (as in result.json).
std::string_view unit_name(MetricUnit unit);
// "/proc/PID/fd", "accounting counter", ... for docs and reports.
std::string_view source_description(MetricSource source);

// Built-in resources in catalogue order: fds .. heap, then the known counted kinds.
const std::vector<std::string_view>& builtin_resources();
const std::vector<std::string_view>& known_counted_kinds();  // sessions, engines, db_connections

// A kind name a scenario may declare: [a-z][a-z0-9_]*, not a built-in resource.
bool is_valid_kind_name(std::string_view kind);

// Every metric for both sides: built-ins, known kinds, then the declared kinds.
std::vector<MetricInfo> metric_catalogue(const std::vector<std::string>& declared_kinds = {});

// The metric named `name`, or nullopt if it is not in the catalogue.
std::optional<MetricInfo> find_metric(std::string_view name,
                                      const std::vector<std::string>& declared_kinds = {});

// The closest catalogue name to a misspelt one ("daemon.engnes" -> "daemon.engines"), or "".
std::string closest_metric(std::string_view name,
                           const std::vector<std::string>& declared_kinds = {});

// Unit by resource; any name that is not rss/pss/heap counts things.
MetricUnit metric_unit(std::string_view name);

// Whether the per_iter key of `metric` is judged by trend (trend_of() in budget_eval.h: the
// lower confidence bound of the slope against the limit) rather than by the slope itself:
// rss and pss, which move with page reuse, allocator caches and one-off steps, and heap, which
// breathes with garbage collectors and arenas (a sawtooth is judged on its troughs).
bool per_iter_by_trend(std::string_view metric);

// The default rss per_iter of a side whose heap was never read (no tcmalloc, no preload):
// RSS is then the only memory figure, and its trend is judged against this floor instead of
// the 64 KiB of default_budget() (docs/metrics.md: "rss without a heap figure").
inline constexpr double kRssPerIterWithoutHeap = 8 * 1024;

// The documented default budget of a metric (custom kinds get the counted-kind default).
// Unknown names get an empty budget. Budget::where is left empty.
Budget default_budget(std::string_view metric);

}  // namespace leakgate
