// The sampler thread: at sample_hz it reads the daemon's /proc figures, its counters
// (counter file or Prometheus scrape) and the harness's own registry into a Timeline.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "leakgate/counter_file.h"
#include "leakgate/process_probe.h"
#include "timeline.h"

namespace leakgate {

struct CounterSource {
  enum class Kind { kNone, kShm, kPrometheus } kind = Kind::kNone;
  std::string counter_path;  // kShm
  std::string endpoint;      // kPrometheus: daemon endpoint
  std::string scrape_path;   // kPrometheus: e.g. /metrics
};

class Sampler {
 public:
  using Clock = std::chrono::steady_clock;
  // Reserves timeline storage for `expected_seconds` of sampling up front.
  Sampler(double sample_hz, Clock::time_point t0, double expected_seconds = 60);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // (Re)points the daemon side at a process; thread-safe (restart steps use it).
  void attach_daemon(pid_t pid, CounterSource counters);
  void detach_daemon();

  void start();  // no-op when sample_hz is 0
  void stop();

  // A synchronous sample (recorded in the timeline too). `classify` adds fds by type.
  // `row`, when given, receives the sample's row in the timeline.
  Frame sample_now(bool classify, size_t* row = nullptr);
  // Counters only, e.g. after the daemon exited (the counter file outlives it).
  std::optional<CounterSnapshot> read_counters();

  Timeline timeline() const;
  double seconds_since_start() const;
  int64_t samples_taken() const { return samples_.load(); }

 private:
  Frame take(bool classify, size_t* row = nullptr);  // requires mutex_
  void run();
  void add_counters(Frame& frame);

  double sample_hz_;
  Clock::time_point t0_;
  mutable std::mutex mutex_;
  std::optional<ProcessProbe> daemon_probe_;
  std::optional<ProcessProbe> self_probe_;
  CounterSource counters_;
  std::optional<CounterFileReader> counter_reader_;
  Timeline timeline_;
  std::atomic<int64_t> samples_{0};
  int64_t tick_ = 0;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace leakgate
