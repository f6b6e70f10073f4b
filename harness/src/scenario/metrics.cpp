#include "leakgate/metrics.h"

#include <algorithm>
#include <iterator>

#include "suggest.h"

namespace leakgate {
namespace {

struct BuiltinResource {
  std::string_view name;
  MetricUnit unit;
  MetricSource source;
};

constexpr BuiltinResource kBuiltinResources[] = {
    {"fds", MetricUnit::kCount, MetricSource::kProcFd},
    {"fds.socket", MetricUnit::kCount, MetricSource::kProcFdType},
    {"fds.pipe", MetricUnit::kCount, MetricSource::kProcFdType},
    {"fds.file", MetricUnit::kCount, MetricSource::kProcFdType},
    {"fds.anon", MetricUnit::kCount, MetricSource::kProcFdType},
    {"fds.other", MetricUnit::kCount, MetricSource::kProcFdType},
    {"rss", MetricUnit::kBytes, MetricSource::kProcStatm},
    {"pss", MetricUnit::kBytes, MetricSource::kSmapsRollup},
    {"threads", MetricUnit::kCount, MetricSource::kProcStatus},
    {"children", MetricUnit::kCount, MetricSource::kProcChildren},
    {"heap", MetricUnit::kBytes, MetricSource::kHeap},
    {"orphans", MetricUnit::kCount, MetricSource::kDescendants},
    {"cgroup.memory", MetricUnit::kBytes, MetricSource::kCgroup},
    {"cgroup.pids", MetricUnit::kCount, MetricSource::kCgroup},
};

constexpr std::string_view kSides[] = {"daemon", "client"};

// Indexed by MetricSource, in declaration order; kCgroup stays last, so a value added fails the
// size. docs/metrics.md quotes each (metrics_test compares them).
constexpr std::string_view kSourceDescriptions[] = {
    "/proc/PID/fd entries",
    "/proc/PID/fd entries by readlink target",
    "/proc/PID/statm resident pages",
    "/proc/PID/smaps_rollup Pss",
    "/proc/PID/status Threads",
    "/proc/PID/task/*/children, the whole tree, zombies included (daemon: also what left it)",
    "tcmalloc current allocated bytes, or the preload library's malloc hooks",
    "accounting library live count (counter file or /metrics)",
    "descendants of the daemon alive after it stopped (harness is the child subreaper)",
    "the daemon's per-test cgroup: memory usage less inactive file cache, pids.current "
    "(processes and threads of the whole tree)",
};
static_assert(std::size(kSourceDescriptions) == static_cast<size_t>(MetricSource::kCgroup) + 1);

const BuiltinResource* find_builtin(std::string_view resource) {
  for (const BuiltinResource& builtin : kBuiltinResources)
    if (builtin.name == resource) return &builtin;
  return nullptr;
}

bool is_known_kind(std::string_view kind) {
  const auto& kinds = known_counted_kinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

MetricInfo make_info(MetricSide side, std::string_view resource, bool custom) {
  MetricInfo info;
  info.name = std::string(side_name(side)) + "." + std::string(resource);
  info.side = side;
  info.resource = std::string(resource);
  if (const BuiltinResource* builtin = find_builtin(resource)) {
    info.unit = builtin->unit;
    info.source = builtin->source;
  }
  info.custom = custom;
  return info;
}

// daemon.py.heap, daemon.py.<module.Type> and daemon.pylib.<module.Type>: the Python
// agent's figures (daemon.python, spawn/python_agent.h).
bool is_python_resource(std::string_view resource) {
  const size_t prefix = resource.starts_with("py.") ? 3 : resource.starts_with("pylib.") ? 6 : 0;
  if (prefix == 0 || resource.size() == prefix) return false;
  for (char c : resource)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.'))
      return false;
  return true;
}

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * kKiB;

}  // namespace

std::string_view side_name(MetricSide side) {
  return side == MetricSide::kDaemon ? "daemon" : "client";
}

std::string_view unit_name(MetricUnit unit) {
  return unit == MetricUnit::kBytes ? "bytes" : "count";
}

std::string_view source_description(MetricSource source) {
  const auto index = static_cast<size_t>(source);
  return index < std::size(kSourceDescriptions) ? kSourceDescriptions[index] : "";
}

const std::vector<std::string_view>& builtin_resources() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const BuiltinResource& builtin : kBuiltinResources) out.push_back(builtin.name);
    return out;
  }();
  return names;
}

const std::vector<std::string_view>& known_counted_kinds() {
  static const std::vector<std::string_view> kinds = {"sessions", "engines", "db_connections"};
  return kinds;
}

bool is_valid_kind_name(std::string_view kind) {
  if (kind.empty() || kind.size() > 64 || kind.front() < 'a' || kind.front() > 'z') return false;
  for (char c : kind)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return find_builtin(kind) == nullptr;
}

std::vector<MetricInfo> metric_catalogue(const std::vector<std::string>& declared_kinds) {
  std::vector<MetricInfo> out;
  for (MetricSide side : {MetricSide::kDaemon, MetricSide::kClient}) {
    for (const BuiltinResource& builtin : kBuiltinResources)
      out.push_back(make_info(side, builtin.name, false));
    for (std::string_view kind : known_counted_kinds()) out.push_back(make_info(side, kind, false));
    for (const std::string& kind : declared_kinds)
      if (!is_known_kind(kind)) out.push_back(make_info(side, kind, true));
  }
  return out;
}

std::optional<MetricInfo> find_metric(std::string_view name,
                                      const std::vector<std::string>& declared_kinds) {
  for (MetricSide side : {MetricSide::kDaemon, MetricSide::kClient}) {
    const std::string prefix = std::string(side_name(side)) + ".";
    if (name.substr(0, prefix.size()) != prefix) continue;
    const std::string_view resource = name.substr(prefix.size());
    if (find_builtin(resource) || is_known_kind(resource)) return make_info(side, resource, false);
    if (side == MetricSide::kDaemon && is_python_resource(resource)) {
      MetricInfo info = make_info(side, resource, false);  // counted, like a kind
      if (resource == "py.heap") {
        info.unit = MetricUnit::kBytes;
        info.source = MetricSource::kHeap;
      }
      return info;
    }
    if (std::find(declared_kinds.begin(), declared_kinds.end(), resource) != declared_kinds.end())
      return make_info(side, resource, true);
  }
  return std::nullopt;
}

std::string closest_metric(std::string_view name, const std::vector<std::string>& declared_kinds) {
  const std::vector<MetricInfo> catalogue = metric_catalogue(declared_kinds);
  std::vector<std::string_view> names;
  for (const MetricInfo& info : catalogue) names.push_back(info.name);
  return detail::closest_match(name, names);
}

MetricUnit metric_unit(std::string_view name) {
  const size_t dot = name.find('.');
  if (dot != std::string_view::npos && name.substr(dot + 1) == "py.heap") return MetricUnit::kBytes;
  const BuiltinResource* builtin =
      dot == std::string_view::npos ? nullptr : find_builtin(name.substr(dot + 1));
  return builtin ? builtin->unit : MetricUnit::kCount;
}

bool per_iter_by_trend(std::string_view metric) {
  const size_t dot = metric.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view resource = metric.substr(dot + 1);
  return resource == "rss" || resource == "pss" || resource == "heap" || resource == "py.heap" ||
         resource == "cgroup.memory";
}

Budget default_budget(std::string_view metric) {
  Budget budget;
  const size_t dot = metric.find('.');
  if (dot == std::string_view::npos) return budget;
  const std::string_view side = metric.substr(0, dot);
  const std::string_view resource = metric.substr(dot + 1);
  if (side != kSides[0] && side != kSides[1]) return budget;
  const bool daemon = side == kSides[0];
  const bool is_fds = find_builtin(resource) && resource.starts_with("fds");
  if (is_fds || resource == "threads" || resource == "children") {
    // Measured after settle, so a count that is still higher leaked: exact budgets are quiet.
    budget.growth = 0;
  } else if (resource == "rss") {
    // RSS moves with page reuse and allocator caches: judged by trend (per_iter_by_trend(): the
    // slope's lower 99.9 % confidence bound) and a generous ceiling. 64 KiB beside an exact
    // heap figure; kRssPerIterWithoutHeap where RSS is the only memory figure.
    budget.per_iter = 64 * kKiB;
    budget.peak = 512 * kMiB;
  } else if (resource == "heap") {
    // Exact allocator figure; the harness process also grows its sample buffers, hence 4 KiB.
    budget.per_iter = daemon ? 512 : 4 * kKiB;
    budget.growth = 4 * kMiB;
  } else if (resource.starts_with("cgroup.")) {
    // Judged only when a scenario asks: the cgroup exists on some machines only (root, or v2
    // with its controllers), and an exact expect_violations must not change with the machine.
  } else if (resource == "orphans") {
    // A process the daemon started and left running is a leak of its own, and it is stopped.
    if (daemon) budget.at_exit = 0;
  } else if (resource == "py.heap") {
    // The Python agent's tracemalloc bytes after a full collection (spawn/python_agent.h):
    // caches that fill once are no trend; 2 KiB per iteration is.
    budget.per_iter = 2 * kKiB;
  } else if (resource.starts_with("py.")) {
    // Live objects after a full collection of a type the daemon's own code defines, or of a
    // well-known resource type (an engine, a client session): steady growth leaks (a lazily
    // made one-off is no slope). Other library types (daemon.pylib.*) follow their owner:
    // reported, judged only when a scenario budgets them.
    budget.per_iter = 0.5;
  } else if (resource == "pss" || resource.starts_with("pylib.")) {
    // pss: costly to sample. pylib: see above. Judged only when a scenario asks.
  } else if (!find_builtin(resource) && !resource.empty()) {
    // Counted kinds: every object created in an iteration is released by its end.
    budget.growth = 0;
    if (daemon) budget.at_exit = 0;
  }
  return budget;
}

}  // namespace leakgate
