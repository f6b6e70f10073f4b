// What one sample reads: a process's /proc figures, the counter file, a Prometheus scrape and
// the harness's own registry, into a timeline row.
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <httplib.h>

#include "leakgate/heap_stats.h"
#include "leakgate/metrics.h"
#include "leakgate/prometheus.h"
#include "leakgate/registry.h"
#include "preload/dump_channel_layout.h"
#include "sample/sampler.h"
#include "sample/source_names.h"
#include "spawn/endpoint.h"

namespace leakgate {
namespace {

std::string describe_http_error(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (connection refused)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "read failed";
    case httplib::Error::Write:
      return "write failed";
    default:
      return "error " + httplib::to_string(error);
  }
}

}  // namespace

void Sampler::record_process(size_t row, ProcessColumns& columns, const ProcessProbe& probe,
                             bool classify, bool slow_tick) {
  ProcessProbe::Options options;
  options.classify_fds = classify;
  const bool daemon_side = &columns == &daemon_columns_;
  // A /proc scan: only at the slow rate; the daemon's from the descendant tracker, if any.
  options.children = slow_tick && !(descendants_ != nullptr && daemon_side);
  // The daemon's tree: walked at the slow rate, its live workers summed every tick.
  const bool tree = descendants_ != nullptr && daemon_side;
  int64_t tree_children = 0;
  if (tree && slow_tick) {
    tree_children = descendants_->scan();
    workers_ = live_members(descendants_->members());
  }
  auto sample = probe.sample(options);
  // A process that exited but is not reaped yet reads as all zeros: not a sample.
  if (!sample || sample->rss_bytes == 0) return;
  if (tree) tree_figures_ = add_workers(*sample, probe.pid(), workers_, options);
  if (&columns == &daemon_columns_) note_source(kProcSource, true);
  set(row, columns.fds, static_cast<double>(sample->fds));
  set(row, columns.rss, static_cast<double>(sample->rss_bytes));
  set(row, columns.threads, static_cast<double>(sample->threads));
  if (slow_tick) {
    int64_t children = sample->children;
    if (descendants_ != nullptr) {
      children = daemon_side ? tree_children
                             : std::max<int64_t>(0, children - descendants_->adopted_count());
    }
    set(row, columns.children, static_cast<double>(children));
  }
  if (sample->fds_by_type) {
    const FdCounts& c = *sample->fds_by_type;
    set(row, columns.socket, static_cast<double>(c.socket));
    set(row, columns.pipe, static_cast<double>(c.pipe));
    set(row, columns.file, static_cast<double>(c.file));
    set(row, columns.anon, static_cast<double>(c.anon));
    set(row, columns.other, static_cast<double>(c.other));
  }
}

void Sampler::record_cgroup(size_t row) {
  const CgroupFigures figures = cgroup_->read();
  if (figures.memory_bytes) set(row, cgroup_memory_, static_cast<double>(*figures.memory_bytes));
  if (figures.tasks) set(row, cgroup_pids_, static_cast<double>(*figures.tasks));
  note_source(kCgroupSource, figures.memory_bytes || figures.tasks,
              "the daemon's cgroup files could not be read");
}

void Sampler::record_counters(size_t row) {
  if (!counter_reader_) counter_reader_ = CounterFileReader::open(counters_.counter_path);
  if (!counter_reader_) return;
  note_source(kCounterFileSource, true);
  const size_t kinds = counter_reader_->kind_count();
  while (counter_columns_.size() < kinds) {
    counter_columns_.emplace_back("daemon." +
                                  std::string(counter_reader_->kind_name(counter_columns_.size())));
  }
  for (size_t i = 0; i < kinds; ++i) {
    // /proc stays the figure of record: the preload library's kind "fds" counts only the
    // fds it saw opened (it exists for their creation stacks).
    set_unless_present(row, counter_columns_[i],
                       static_cast<double>(counter_reader_->kind_live(i)));
  }
  auto heap = counter_reader_->heap_bytes();
  if (heap && counters_.preload) *heap += workers_heap_bytes();
  if (heap) set(row, daemon_heap_, static_cast<double>(*heap));
  if (counters_.preload && !(preload_heap_live_ && preload_fds_live_)) {
    preload_heap_live_ = preload_heap_live_ || heap.has_value();
    note_source(kPreloadHeapSource, preload_heap_live_,
                "the counter file carries no heap figure (the preload library did not load?)");
    for (size_t i = 0; i < kinds && !preload_fds_live_; ++i)
      preload_fds_live_ = counter_reader_->kind_name(i) == "fds";
    note_source(kPreloadFdsSource, preload_fds_live_,
                "the counter file has no kind fds (the preload library did not load?)");
  }
}

void Sampler::scrape(size_t row) {
  const std::string name = kScrapeSource + counters_.scrape_path;
  const std::string failed = "scrape of " + counters_.scrape_path + " failed: ";
  const std::optional<int64_t> fds_before = daemon_probe_->fd_count();
  try {
    auto client = make_http_client(counters_.endpoint, 1000);
    auto response = client->Get(counters_.scrape_path);
    if (!response) {
      note_source(name, false, failed + describe_http_error(response.error()));
    } else if (response->status != 200) {
      note_source(name, false, failed + "HTTP " + std::to_string(response->status));
    } else {
      record_scrape(row, response->body);
    }
  } catch (const std::exception& e) {
    // A failed scrape is a missing sample, not a failed test.
    note_source(name, false, failed + e.what());
  }
  wait_for_scrape_close(fds_before);
}

// The daemon closes its end of the scrape's connection on its own thread, after answering; on
// a loaded machine that can come after the next sample's /proc read, which would then count a
// socket of the harness's own making (daemon.fds.socket +1 at a snapshot). So, briefly, wait
// until the daemon's fd count is back where it was before the scrape.
void Sampler::wait_for_scrape_close(std::optional<int64_t> fds_before) {
  if (!fds_before) return;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::optional<int64_t> fds = daemon_probe_->fd_count();
    if (!fds || *fds <= *fds_before) return;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

// leakgate_<kind>_live -> daemon.<kind>; leakgate_heap_bytes -> daemon.heap.
void Sampler::record_scrape(size_t row, const std::string& text) {
  static const std::string prefix = "leakgate_";
  static const std::string live_suffix = "_live";
  const auto samples = parse_prometheus(text);
  note_source(kScrapeSource + counters_.scrape_path, !samples.empty(),
              "scrape of " + counters_.scrape_path + " returned no Prometheus samples");
  for (const auto& [name, value] : samples) {
    if (name.rfind(prefix, 0) != 0 || name.find('{') != std::string::npos) continue;
    if (name == "leakgate_heap_bytes") {
      set(row, daemon_heap_, value);
    } else if (name.size() > prefix.size() + live_suffix.size() &&
               name.compare(name.size() - live_suffix.size(), live_suffix.size(), live_suffix) ==
                   0) {
      const std::string kind =
          name.substr(prefix.size(), name.size() - prefix.size() - live_suffix.size());
      const size_t column = timeline_.column("daemon." + kind);
      if (!timeline_.has(row, column)) timeline_.set(row, column, value);  // /proc wins
    }
  }
}

void Sampler::record_client_kinds(size_t row) {
  Registry::global().for_each_live([&](size_t index, std::string_view name, int64_t live) {
    // Only the first sample after a kind appears allocates its column's name.
    if (index >= client_kind_columns_.size()) {
      client_kind_columns_.emplace_back("client." + std::string(name));
    }
    // A kind named like a /proc figure ("fds") does not replace it.
    set_unless_present(row, client_kind_columns_[index], static_cast<double>(live));
  });
}

// The preload library follows forked workers, each with a counter file of its own
// (dump_channel_layout.h): daemon.heap is the tree's sum, as daemon.rss is. A worker's figure
// starts from the heap it inherited at the fork, a constant while the tree stays the same.
int64_t Sampler::workers_heap_bytes() {
  std::erase_if(worker_counters_, [&](const auto& entry) {
    return std::none_of(workers_.begin(), workers_.end(),
                        [&](const TreeMember& worker) { return worker.pid == entry.first; });
  });
  int64_t sum = 0;
  for (const TreeMember& worker : workers_) {
    std::optional<CounterFileReader>& reader = worker_counters_[worker.pid];
    if (!reader) {
      reader = CounterFileReader::open(
          dump_channel::worker_counters_path(counters_.counter_path, worker.pid));
    }
    if (reader) sum += reader->heap_bytes().value_or(0);
  }
  return sum;
}

}  // namespace leakgate
