#include "sample/sampler.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "leakgate/heap_stats.h"
#include "leakgate/registry.h"
#include "sample/source_names.h"

namespace leakgate {
namespace {

// Children cost a /proc scan, a scrape an HTTP round trip and the harness's own heap figure
// a walk of tcmalloc's free lists (~10 us): the sampler thread reads them at most this often.
// Counts, RSS, threads and counter files go every tick; samples the runner asks for
// (checkpoints, settling) read everything.
constexpr double kSlowFiguresHz = 20;

}  // namespace

std::optional<std::string> sampling_late_note(double max_late_s, int64_t normal_priority_ticks,
                                              int64_t ticks) {
  if (max_late_s <= 0.1) return std::nullopt;
  return "sampling fell behind: a tick came " + std::to_string(std::lround(max_late_s * 1e3)) +
         " ms late (every CPU busy?); " + std::to_string(normal_priority_ticks) + " of " +
         std::to_string(ticks) +
         " ticks were taken at normal priority. Peaks shorter than that may be missing; "
         "baseline, checkpoints and final are exact.";
}

Sampler::ProcessColumns::ProcessColumns(const std::string& side)
    : fds(side + ".fds"),
      rss(side + ".rss"),
      threads(side + ".threads"),
      children(side + ".children"),
      socket(side + ".fds.socket"),
      pipe(side + ".fds.pipe"),
      file(side + ".fds.file"),
      anon(side + ".fds.anon"),
      other(side + ".fds.other") {}

Sampler::Sampler(double sample_hz, Clock::time_point t0) : sample_hz_(sample_hz), t0_(t0) {
  self_probe_.emplace(getpid());
}

Sampler::~Sampler() { stop(); }

void Sampler::count_descendants_with(DescendantTracker* tracker) {
  std::lock_guard lock(mutex_);
  descendants_ = tracker;
}

void Sampler::account_cgroup_with(const DaemonCgroup* cgroup) {
  std::lock_guard lock(mutex_);
  cgroup_ = cgroup;
  if (cgroup) source(kCgroupSource, "the daemon's cgroup was never read");
}

void Sampler::attach_daemon(pid_t pid, CounterSource counters) {
  std::lock_guard lock(mutex_);
  daemon_probe_.reset();
  try {
    daemon_probe_.emplace(pid);
  } catch (const ProbeError&) {
    // Gone already: the runner notices the exit and reports it.
  }
  SourceState& proc = source(kProcSource, "no sample of the daemon's /proc entry was taken");
  if (!daemon_probe_ && !proc.live) proc.reason = "the daemon's /proc entry could not be opened";
  if (counters.kind == CounterSource::Kind::kShm) {
    // The default source: a daemon that links no accounting library never writes one.
    source(kCounterFileSource, counters.preload ? "counter file never appeared"
                                                : "counter file never appeared (a daemon without "
                                                  "leakgate's accounting library says counters: "
                                                  "none)");
  } else if (counters.kind == CounterSource::Kind::kPrometheus) {
    source(kScrapeSource + counters.scrape_path, "no scrape was taken");
  }
  if (counters.preload) {
    const std::string why = counters.kind == CounterSource::Kind::kShm
                                ? "counter file never appeared"
                                : "the preload library publishes through a counter file only";
    source(kPreloadHeapSource, why);
    source(kPreloadFdsSource, why);
  }
  counters_ = std::move(counters);
  counter_reader_.reset();
  worker_counters_.clear();
  counter_columns_.clear();  // a new file may list its kinds in another order
}

SourceState& Sampler::source(const std::string& name, const std::string& reason) {
  for (SourceState& existing : sources_)
    if (existing.name == name) return existing;
  sources_.push_back(SourceState{name, false, reason});
  return sources_.back();
}

void Sampler::note_source(const std::string& name, bool live, const std::string& reason) {
  for (SourceState& existing : sources_) {
    if (existing.name != name || existing.live) continue;
    existing.live = live;
    existing.reason = live ? std::string() : reason;
    return;
  }
}

std::vector<SourceState> Sampler::sources() const {
  std::lock_guard lock(mutex_);
  return sources_;
}

void Sampler::detach_daemon() {
  std::lock_guard lock(mutex_);
  daemon_probe_.reset();
  workers_.clear();
  worker_counters_.clear();
}

std::vector<TreeProcessFigures> Sampler::tree_figures() const {
  std::lock_guard lock(mutex_);
  return tree_figures_;
}

std::vector<FdInfo> Sampler::worker_fds() const {
  // Under the lock: the probes' own fds are never seen by a sample of the harness (client.fds).
  std::lock_guard lock(mutex_);
  std::vector<FdInfo> fds;
  for (const TreeMember& worker : workers_) {
    try {
      auto listed = ProcessProbe(worker.pid).list_fds().value_or(std::vector<FdInfo>{});
      fds.insert(fds.end(), listed.begin(), listed.end());
    } catch (const ProbeError&) {
      // Exited since the walk.
    }
  }
  return fds;
}

Frame Sampler::sample_now(bool classify, size_t* row) {
  std::lock_guard lock(mutex_);
  const size_t recorded = record(classify, true);
  if (row != nullptr) *row = recorded;
  return timeline_.last_row_frame();
}

bool Sampler::stream_timeline_to(const std::string& path, std::string& error) {
  std::lock_guard lock(mutex_);
  return timeline_.stream_to(path, error);
}

void Sampler::open_peak_window() {
  std::lock_guard lock(mutex_);
  timeline_.open_peak_window();
}

void Sampler::mark_peak_window() {
  std::lock_guard lock(mutex_);
  timeline_.mark_peak_window();
}

size_t Sampler::resolve(LazyColumn& column) {
  if (column.column == LazyColumn::kUnresolved) column.column = timeline_.column(column.metric);
  return column.column;
}

void Sampler::set(size_t row, LazyColumn& column, double value) {
  timeline_.set(row, resolve(column), value);
}

void Sampler::set_unless_present(size_t row, LazyColumn& column, double value) {
  const size_t c = resolve(column);
  if (!timeline_.has(row, c)) timeline_.set(row, c, value);
}

size_t Sampler::record(bool classify, bool synchronous) {
  const int64_t slow_every =
      sample_hz_ > kSlowFiguresHz ? static_cast<int64_t>(sample_hz_ / kSlowFiguresHz) : 1;
  const bool slow_tick = classify || (tick_++ % slow_every == 0);
  const size_t row = timeline_.begin_row(seconds_since_start());
  if (daemon_probe_) record_process(row, daemon_columns_, *daemon_probe_, classify, slow_tick);
  if (cgroup_ && daemon_probe_ && (synchronous || slow_tick)) record_cgroup(row);
  if (counters_.kind == CounterSource::Kind::kShm) {
    record_counters(row);
  } else if (counters_.kind == CounterSource::Kind::kPrometheus && slow_tick && daemon_probe_) {
    // Not once the daemon is detached: a stopping daemon refuses, and that is not why the
    // scrape failed.
    scrape(row);
  }
  record_process(row, client_columns_, *self_probe_, classify, slow_tick);
  record_client_kinds(row);
  // tcmalloc's figure walks its free lists (~10 us): the slow rate, and every asked-for sample.
  if (synchronous || slow_tick) {
    if (auto heap = current_heap_bytes()) set(row, client_heap_, static_cast<double>(*heap));
  }
  timeline_.end_row();
  return row;
}

void Sampler::refresh_published_heap(std::chrono::microseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (counters_.kind == CounterSource::Kind::kShm && !counter_reader_)
      counter_reader_ = CounterFileReader::open(counters_.counter_path);
    // It waits itself (a publisher that predates the request: the whole timeout).
    if (counter_reader_) {
      counter_reader_->refresh_heap(timeout);
      return;
    }
  }
  std::this_thread::sleep_for(timeout);
}

std::optional<CounterSnapshot> Sampler::read_counters() {
  std::lock_guard lock(mutex_);
  if (counters_.kind != CounterSource::Kind::kShm) return std::nullopt;
  if (!counter_reader_) counter_reader_ = CounterFileReader::open(counters_.counter_path);
  if (!counter_reader_) return std::nullopt;
  return counter_reader_->read();
}

Timeline Sampler::timeline() {
  std::lock_guard lock(mutex_);
  timeline_.flush_file();
  return timeline_;
}

double Sampler::seconds_since_start() const {
  return std::chrono::duration<double>(Clock::now() - t0_).count();
}

}  // namespace leakgate