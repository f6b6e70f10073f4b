#include "sampler.h"

#include <unistd.h>

#include <algorithm>

#include <httplib.h>

#include "endpoint.h"
#include "leakgate/heap_stats.h"
#include "leakgate/prometheus.h"
#include "leakgate/registry.h"

namespace leakgate {
namespace {

// Classifying fds costs a readlink per fd and a scrape an HTTP round trip: the sampler
// does them at most this often; counts, RSS, threads and counter files go every tick.
constexpr double kSlowFiguresHz = 20;

void add_process(Frame& frame, const std::string& side, const ProcessProbe& probe, bool classify,
                 bool slow_tick) {
  ProcessProbe::Options options;
  options.classify_fds = classify;
  options.children = slow_tick;  // a /proc scan: only at the slow rate
  auto sample = probe.sample(options);
  // A process that exited but is not reaped yet reads as all zeros: not a sample.
  if (!sample || sample->rss_bytes == 0) return;
  frame[side + ".fds"] = static_cast<double>(sample->fds);
  frame[side + ".rss"] = static_cast<double>(sample->rss_bytes);
  frame[side + ".threads"] = static_cast<double>(sample->threads);
  if (slow_tick || classify) frame[side + ".children"] = static_cast<double>(sample->children);
  if (sample->fds_by_type) {
    const FdCounts& c = *sample->fds_by_type;
    frame[side + ".fds.socket"] = static_cast<double>(c.socket);
    frame[side + ".fds.pipe"] = static_cast<double>(c.pipe);
    frame[side + ".fds.file"] = static_cast<double>(c.file);
    frame[side + ".fds.anon"] = static_cast<double>(c.anon);
    frame[side + ".fds.other"] = static_cast<double>(c.other);
  }
}

// leakgate_<kind>_live -> daemon.<kind>; leakgate_heap_bytes -> daemon.heap.
void add_scrape(Frame& frame, const std::string& text) {
  static const std::string prefix = "leakgate_";
  static const std::string live_suffix = "_live";
  for (const auto& [name, value] : parse_prometheus(text)) {
    if (name.rfind(prefix, 0) != 0 || name.find('{') != std::string::npos) continue;
    if (name == "leakgate_heap_bytes") {
      frame["daemon.heap"] = value;
    } else if (name.size() > prefix.size() + live_suffix.size() &&
               name.compare(name.size() - live_suffix.size(), live_suffix.size(), live_suffix) ==
                   0) {
      frame["daemon." +
            name.substr(prefix.size(), name.size() - prefix.size() - live_suffix.size())] = value;
    }
  }
}

}  // namespace

Sampler::Sampler(double sample_hz, Clock::time_point t0, double expected_seconds)
    : sample_hz_(sample_hz),
      t0_(t0),
      timeline_(static_cast<size_t>(std::max(1.0, sample_hz) * expected_seconds) + 1024) {
  self_probe_.emplace(getpid());
}

Sampler::~Sampler() { stop(); }

void Sampler::attach_daemon(pid_t pid, CounterSource counters) {
  std::lock_guard lock(mutex_);
  daemon_probe_.reset();
  try {
    daemon_probe_.emplace(pid);
  } catch (const ProbeError&) {
    // Gone already: the runner notices the exit and reports it.
  }
  counters_ = std::move(counters);
  counter_reader_.reset();
}

void Sampler::detach_daemon() {
  std::lock_guard lock(mutex_);
  daemon_probe_.reset();
}

void Sampler::start() {
  if (sample_hz_ <= 0 || thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Sampler::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sampler::run() {
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / sample_hz_));
  auto next = Clock::now();
  std::unique_lock wake_lock(wake_mutex_);
  while (!stopping_) {
    wake_lock.unlock();
    {
      std::lock_guard lock(mutex_);
      take(false);
    }
    wake_lock.lock();
    next += period;
    const auto now = Clock::now();
    if (next < now) next = now;  // fell behind: skip rather than burst
    wake_.wait_until(wake_lock, next, [this] { return stopping_; });
  }
}

Frame Sampler::sample_now(bool classify, size_t* row) {
  std::lock_guard lock(mutex_);
  return take(classify, row);
}

void Sampler::add_counters(Frame& frame) {
  if (counters_.kind == CounterSource::Kind::kShm) {
    if (!counter_reader_) counter_reader_ = CounterFileReader::open(counters_.counter_path);
    if (!counter_reader_) return;
    const CounterSnapshot snapshot = counter_reader_->read();
    for (const auto& kind : snapshot.kinds) {
      // /proc stays the figure of record: the preload library's kind "fds" counts only the
      // fds it saw opened (it exists for their creation stacks).
      frame.try_emplace("daemon." + kind.name, static_cast<double>(kind.live));
    }
    if (snapshot.heap) frame["daemon.heap"] = static_cast<double>(*snapshot.heap);
  } else if (counters_.kind == CounterSource::Kind::kPrometheus) {
    try {
      auto client = make_http_client(counters_.endpoint, 1000);
      if (auto response = client->Get(counters_.scrape_path); response && response->status == 200) {
        add_scrape(frame, response->body);
      }
    } catch (const std::exception&) {
      // A failed scrape is a missing sample, not a failed test.
    }
  }
}

Frame Sampler::take(bool classify, size_t* row) {
  const int64_t slow_every =
      sample_hz_ > kSlowFiguresHz ? static_cast<int64_t>(sample_hz_ / kSlowFiguresHz) : 1;
  const bool slow_tick = classify || (tick_++ % slow_every == 0);
  Frame frame;
  if (daemon_probe_) add_process(frame, "daemon", *daemon_probe_, classify, slow_tick);
  if (counters_.kind == CounterSource::Kind::kShm || slow_tick) add_counters(frame);
  add_process(frame, "client", *self_probe_, classify, slow_tick);
  for (const auto& kind : Registry::global().snapshot()) {
    frame["client." + kind.name] = static_cast<double>(kind.live);
  }
  if (auto heap = current_heap_bytes()) frame["client.heap"] = static_cast<double>(*heap);
  const size_t appended = timeline_.append(seconds_since_start(), frame);
  if (row != nullptr) *row = appended;
  samples_.fetch_add(1, std::memory_order_relaxed);
  return frame;
}

std::optional<CounterSnapshot> Sampler::read_counters() {
  std::lock_guard lock(mutex_);
  if (counters_.kind != CounterSource::Kind::kShm) return std::nullopt;
  if (!counter_reader_) counter_reader_ = CounterFileReader::open(counters_.counter_path);
  if (!counter_reader_) return std::nullopt;
  return counter_reader_->read();
}

Timeline Sampler::timeline() const {
  std::lock_guard lock(mutex_);
  return timeline_;
}

double Sampler::seconds_since_start() const {
  return std::chrono::duration<double>(Clock::now() - t0_).count();
}

}  // namespace leakgate
