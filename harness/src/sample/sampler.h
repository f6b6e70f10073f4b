// The sampler: at sample_hz it reads the daemon's /proc figures, its counters (counter file or
// Prometheus scrape) and the harness's own registry into a Timeline. Its ticks come from an
// idle-priority thread, or from a normal one while the CPUs are saturated (sampler_priority.h).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "leakgate/counter_file.h"
#include "leakgate/process_probe.h"
#include "leakgate/unique_fd.h"
#include "sample/process_tree.h"
#include "sample/sampler_priority.h"
#include "sample/source_state.h"
#include "sample/timeline.h"
#include "spawn/daemon_cgroup.h"
#include "spawn/descendants.h"

namespace leakgate {

struct CounterSource {
  enum class Kind { kNone, kShm, kPrometheus } kind = Kind::kNone;
  std::string counter_path;  // kShm
  std::string endpoint;      // kPrometheus: daemon endpoint
  std::string scrape_path;   // kPrometheus: e.g. /metrics
  bool preload = false;      // the daemon runs with the preload library (its heap and fds)
};

// The note for a run whose sampling fell behind (a tick more than 100 ms late: peaks shorter
// than that may be missing from the timeline), or nothing.
std::optional<std::string> sampling_late_note(double max_late_s, int64_t normal_priority_ticks,
                                              int64_t ticks);

class Sampler {
 public:
  using Clock = std::chrono::steady_clock;
  // The timeline's memory is bounded and allocated up front (timeline.h).
  Sampler(double sample_hz, Clock::time_point t0);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // (Re)points the daemon side at a process; thread-safe (restart steps use it).
  void attach_daemon(pid_t pid, CounterSource counters);
  void detach_daemon();
  // daemon.children from the tracker (the whole tree, also what left the daemon's session or
  // was reparented to us); client.children without those orphans. Not owned.
  void count_descendants_with(DescendantTracker* tracker);
  // daemon.cgroup.memory and daemon.cgroup.pids from the daemon's per-test cgroup, read at
  // the slow rate and at every sample asked for while a daemon is attached. Not owned;
  // nullptr stops it.
  void account_cgroup_with(const DaemonCgroup* cgroup);
  // The daemon's processes at the last sample (the root first), their figures summed in
  // daemon.*; and the open fds of the live workers of the last tree walk (process_tree.h).
  std::vector<TreeProcessFigures> tree_figures() const;
  std::vector<FdInfo> worker_fds() const;

  // Ticks come from a SCHED_IDLE thread, or from a normal one while the CPUs are saturated
  // (sampler_priority.h says why). No-op when sample_hz is 0.
  void start();
  void stop();

  // A synchronous sample (recorded in the timeline too). `classify` adds fds by type.
  // `row`, when given, receives the sample's row in the timeline.
  Frame sample_now(bool classify, size_t* row = nullptr);

  // Before a checkpoint: asks the daemon's counter-file publisher for a heap figure taken
  // now and waits for it, at most `timeout`; a publisher that cannot be asked (one that
  // predates the request) gets the whole timeout, one periodic refresh.
  void refresh_published_heap(std::chrono::microseconds timeout);
  // Counters only, e.g. after the daemon exited (the counter file outlives it).
  std::optional<CounterSnapshot> read_counters();

  // Every sample also goes to `path` from now on (the full-resolution timeline file).
  bool stream_timeline_to(const std::string& path, std::string& error);
  // The measured window whose exact peaks the timeline keeps (Timeline::open_peak_window).
  void open_peak_window();
  void mark_peak_window();
  // A copy of the bounded timeline, its file flushed.
  Timeline timeline();
  double seconds_since_start() const;
  // Every source read since construction, in the order first attached: "/proc" (daemon),
  // "counter file", "prometheus scrape <path>", "preload heap", "preload fds"; live once it
  // delivered a reading (across restarts), else the reason it did not.
  std::vector<SourceState> sources() const;
  // The sampler threads' own work, for result.json and scripts/bench: their ticks, the CPU
  // time they used (CLOCK_THREAD_CPUTIME_ID; final once stop() returned), the ticks taken at
  // normal priority and the latest a tick came after its time.
  int64_t thread_ticks() const { return thread_ticks_.load(); }
  double thread_cpu_seconds() const { return thread_cpu_s_.load(); }
  int64_t normal_priority_ticks() const { return normal_ticks_.load(); }
  double max_late_seconds() const { return max_late_s_.load(); }

 private:
  // A metric's timeline column, resolved when first set: a column that was never set must
  // not exist (it would read as a metric that was sampled and always absent).
  struct LazyColumn {
    explicit LazyColumn(std::string name) : metric(std::move(name)) {}
    std::string metric;
    size_t column = kUnresolved;
    static constexpr size_t kUnresolved = Timeline::kNoColumn + 1;
  };
  struct ProcessColumns {
    explicit ProcessColumns(const std::string& side);
    LazyColumn fds, rss, threads, children, socket, pipe, file, anon, other;
  };

  // One sample into a new timeline row; returns the row. Requires mutex_. `synchronous`:
  // asked for by the runner (checkpoints, settling), so every figure is read.
  size_t record(bool classify, bool synchronous);
  size_t resolve(LazyColumn& column);
  void set(size_t row, LazyColumn& column, double value);
  void set_unless_present(size_t row, LazyColumn& column, double value);
  void record_process(size_t row, ProcessColumns& columns, const ProcessProbe& probe, bool classify,
                      bool slow_tick);
  void record_cgroup(size_t row);
  void record_counters(size_t row);
  int64_t workers_heap_bytes();
  void record_scrape(size_t row, const std::string& text);
  void record_client_kinds(size_t row);
  void scrape(size_t row);
  void wait_for_scrape_close(std::optional<int64_t> fds_before);
  // The source `name`, added with `reason` when new. Requires mutex_.
  SourceState& source(const std::string& name, const std::string& reason);
  // Marks `name` live, or (while it never was) records why it delivered nothing.
  void note_source(const std::string& name, bool live, const std::string& reason = {});
  Clock::duration period() const;
  Clock::time_point next_tick() const;
  bool sleep_until(Clock::time_point deadline) const;
  void tick(Clock::time_point now, Clock::time_point due, double& max_late_s);
  void run_idle();
  void run_normal();
  void finish_thread(double max_late_s);

  double sample_hz_;
  Clock::time_point t0_;
  mutable std::mutex mutex_;
  std::optional<ProcessProbe> daemon_probe_;
  std::optional<ProcessProbe> self_probe_;
  CounterSource counters_;
  std::optional<CounterFileReader> counter_reader_;
  // With the preload library: each forked worker's own counter file, by pid (nullopt: not
  // there yet, or a child that exec'd another program)
  std::map<pid_t, std::optional<CounterFileReader>> worker_counters_;
  Timeline timeline_;
  std::atomic<int64_t> thread_ticks_{0};
  std::atomic<double> thread_cpu_s_{0};
  std::atomic<int64_t> normal_ticks_{0};
  std::atomic<double> max_late_s_{0};
  int64_t tick_ = 0;
  ProcessColumns daemon_columns_{"daemon"};
  ProcessColumns client_columns_{"client"};
  std::vector<LazyColumn> counter_columns_;      // by counter-file kind index; reset on attach
  std::vector<LazyColumn> client_kind_columns_;  // by registry kind index
  LazyColumn daemon_heap_{"daemon.heap"};
  LazyColumn client_heap_{"client.heap"};
  const DaemonCgroup* cgroup_ = nullptr;
  LazyColumn cgroup_memory_{"daemon.cgroup.memory"};
  LazyColumn cgroup_pids_{"daemon.cgroup.pids"};
  DescendantTracker* descendants_ = nullptr;
  std::vector<TreeMember> workers_;  // live, from the last tree walk
  std::vector<TreeProcessFigures> tree_figures_;
  std::vector<SourceState> sources_;
  bool preload_heap_live_ = false;  // the fast path of record_counters
  bool preload_fds_live_ = false;

  // The two ticking threads take turns through atomics only: a lock held by a starved idle
  // thread would stall the normal one.
  std::atomic<bool> stopping_{false};
  std::atomic<SamplerPriority::Level> turn_{SamplerPriority::Level::kIdle};
  std::atomic<Clock::rep> next_tick_ns_{0};  // the turn holder's next deadline
  std::optional<SamplerPriority> priority_;  // the normal thread's alone once started
  UniqueFd stop_event_;                      // an eventfd that stop() makes readable
  std::thread idle_thread_;
  std::thread normal_thread_;
};

}  // namespace leakgate
