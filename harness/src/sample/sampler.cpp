#include "sample/sampler.h"

#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <httplib.h>

#include "leakgate/heap_stats.h"
#include "leakgate/metrics.h"
#include "leakgate/prometheus.h"
#include "leakgate/registry.h"
#include "spawn/endpoint.h"

namespace leakgate {
namespace {

// Children cost a /proc scan, a scrape an HTTP round trip and the harness's own heap figure
// a walk of tcmalloc's free lists (~10 us): the sampler thread reads them at most this often.
// Counts, RSS, threads and counter files go every tick; samples the runner asks for
// (checkpoints, settling) read everything.
constexpr double kSlowFiguresHz = 20;

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

void Sampler::start() {
  if (sample_hz_ <= 0 || idle_thread_.joinable()) return;
  if (!stop_event_) stop_event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  uint64_t drained = 0;
  while (::read(stop_event_.get(), &drained, sizeof drained) > 0) {
  }
  stopping_ = false;
  const auto now = Clock::now();
  next_tick_ns_ = now.time_since_epoch().count();
  turn_ = SamplerPriority::Level::kIdle;
  priority_.emplace(period(), now);
  idle_thread_ = std::thread([this] { run_idle(); });
  normal_thread_ = std::thread([this] { run_normal(); });
}

void Sampler::stop() {
  stopping_ = true;
  const uint64_t one = 1;
  if (stop_event_) (void)!::write(stop_event_.get(), &one, sizeof one);
  if (idle_thread_.joinable()) idle_thread_.join();
  if (normal_thread_.joinable()) normal_thread_.join();
}

Sampler::Clock::duration Sampler::period() const {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / sample_hz_));
}

Sampler::Clock::time_point Sampler::next_tick() const {
  return Clock::time_point(Clock::duration(next_tick_ns_.load()));
}

// Sleeps until `deadline` or stop(); false once stopping. A poll on the stop eventfd, not a
// condition variable: the two threads share no lock a starved idle thread could hold.
bool Sampler::sleep_until(Clock::time_point deadline) const {
  pollfd stop_fd{stop_event_.get(), POLLIN, 0};
  for (;;) {
    if (stopping_) return false;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return true;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout{static_cast<time_t>(ns / 1000000000),
                           static_cast<long>(ns % 1000000000)};
    ::ppoll(&stop_fd, stop_fd.fd >= 0 ? 1 : 0, &timeout, nullptr);
  }
}

// One tick of the thread whose turn it is: moves the deadline on and records a sample.
void Sampler::tick(Clock::time_point now, Clock::time_point due, double& max_late_s) {
  max_late_s = std::max(max_late_s, std::chrono::duration<double>(now - due).count());
  auto next = due + period();
  if (next <= now) next = now + period();  // fell behind: skip, no burst
  next_tick_ns_ = next.time_since_epoch().count();
  {
    std::lock_guard lock(mutex_);
    record(false, false);
  }
  thread_ticks_.fetch_add(1, std::memory_order_relaxed);
}

// The idle thread ticks whenever the turn is its own; it never decides the turn.
void Sampler::run_idle() {
  sched_param param{};
  // Where this is refused, the thread stays normal: the cost is back, no sample is lost.
  (void)::sched_setscheduler(0, SCHED_IDLE, &param);
  double max_late_s = 0;
  for (;;) {
    const auto due = next_tick();
    const auto now = Clock::now();
    if (turn_ != SamplerPriority::Level::kIdle) {  // look again at the tick rate
      if (!sleep_until(std::max(due, now + period()))) break;
      continue;
    }
    if (now < due) {
      if (!sleep_until(due)) break;
      continue;
    }
    tick(now, due, max_late_s);
  }
  finish_thread(max_late_s);
}

// The normal thread keeps the turn: while the idle thread has it, it looks every
// watch_period() whether its tick is overdue and takes over; while it has the turn itself, it
// ticks until SamplerPriority gives the turn back.
void Sampler::run_normal() {
  double max_late_s = 0;
  for (;;) {
    const auto due = next_tick();
    const auto now = Clock::now();
    if (turn_ == SamplerPriority::Level::kIdle) {
      if (priority_->on_tick(now, now - due) == SamplerPriority::Level::kNormal) {
        turn_ = SamplerPriority::Level::kNormal;
        continue;
      }
      if (!sleep_until(now + priority_->watch_period())) break;
      continue;
    }
    if (now < due) {
      if (!sleep_until(due)) break;
      continue;
    }
    if (priority_->on_tick(now, now - due) == SamplerPriority::Level::kIdle) {
      turn_ = SamplerPriority::Level::kIdle;
      continue;
    }
    tick(now, due, max_late_s);
    normal_ticks_.fetch_add(1, std::memory_order_relaxed);
  }
  finish_thread(max_late_s);
}

void Sampler::finish_thread(double max_late_s) {
  timespec cpu{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) {
    thread_cpu_s_.fetch_add(static_cast<double>(cpu.tv_sec) +
                            static_cast<double>(cpu.tv_nsec) * 1e-9);
  }
  double seen = max_late_s_.load();
  while (seen < max_late_s && !max_late_s_.compare_exchange_weak(seen, max_late_s)) {
  }
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
  const auto heap = counter_reader_->heap_bytes();
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

size_t Sampler::record(bool classify, bool synchronous) {
  const int64_t slow_every =
      sample_hz_ > kSlowFiguresHz ? static_cast<int64_t>(sample_hz_ / kSlowFiguresHz) : 1;
  const bool slow_tick = classify || (tick_++ % slow_every == 0);
  const size_t row = timeline_.begin_row(seconds_since_start());
  if (daemon_probe_) record_process(row, daemon_columns_, *daemon_probe_, classify, slow_tick);
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
