// What the sampler thread costs the daemon it watches: trackerd's CPU time per iteration of
// scenarios/bench/overhead.yaml's requests (3 creates, 2 gets, 2 updates, 2 lists,
// 3 deletes, through tracker::Client over the Unix socket), with leakgate's Sampler at 1 kHz
// on that daemon and its counter file vs no sampler thread.
//
// Whole `leakgate run`s (scripts/bench's overhead rows) start a fresh daemon each time, and
// their run-to-run spread (~10% on a shared 2-vCPU machine) is larger than the effect; so is
// the drift of such a machine over seconds (repetitions of a few seconds each still differ by
// ~10%, in runs of slow and fast ones). Here one daemon serves everything, each repetition is
// one round of four short blocks in a random order (no sampler, the sampler at 1 kHz, a thread
// that only wakes at 1 kHz, no sampler again as the control), and the daemon's CPU is read in
// nanoseconds (the sum of /proc/PID/task/*/schedstat), not in 10 ms clock ticks.
// scripts/sampler-overhead-ratio pairs the blocks of each round and prints the ratios.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <signal.h>

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sample/sampler.h"
#include "test_dir.h"
#include "tracker/client.h"
#include "trackerd_process.h"

namespace {

using leakgate::testing::TestDir;
using tracker::testing::TrackerdProcess;

// trackerd as scenarios/bench/overhead.yaml starts it, publishing its counters.
struct WatchedDaemon {
  WatchedDaemon()
      : process(std::make_unique<TrackerdProcess>(
            std::vector<std::string>{"--db", (dir / "bench.db").string(), "--socket",
                                     (dir / "d.sock").string(), "--sync-interval", "20ms"},
            dir / "trackerd.log",
            std::map<std::string, std::string>{{"LEAKGATE_COUNTERS", counter_path()}})),
        client(process->endpoint()) {
    for (int i = 0; i < 100; ++i) iteration(-1 - i);  // SQLite's cache and the heap, warm
  }
  ~WatchedDaemon() { process->stop(SIGTERM); }

  std::string counter_path() const { return (dir / "trackerd.counters").string(); }

  // Sum over the daemon's threads of the time they ran (ns), from schedstat.
  int64_t cpu_ns() const {
    const std::string tasks = "/proc/" + std::to_string(process->pid()) + "/task";
    std::unique_ptr<DIR, int (*)(DIR*)> dir_handle(opendir(tasks.c_str()), closedir);
    int64_t total = 0;
    if (!dir_handle) return total;
    while (const dirent* entry = readdir(dir_handle.get())) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream schedstat(tasks + "/" + entry->d_name + "/schedstat");
      int64_t ran_ns = 0;
      if (schedstat >> ran_ns) total += ran_ns;
    }
    return total;
  }

  // One iteration of overhead.yaml's steps: twelve requests.
  void iteration(int i) {
    const std::string n = std::to_string(i);
    const int64_t a = client.create({"a " + n, "created in iteration " + n, {"bug", "leak"}}).id;
    const int64_t b = client.create({"b " + n, "created in iteration " + n, {"bug"}}).id;
    const int64_t c = client.create({"c " + n, "created in iteration " + n, {"leak"}}).id;
    benchmark::DoNotOptimize(client.get(a));
    benchmark::DoNotOptimize(client.get(b));
    tracker::IssuePatch close;
    close.status = tracker::Status::kClosed;
    client.update(a, close);
    client.update(c, close);
    tracker::ListQuery closed;
    closed.status = tracker::Status::kClosed;
    closed.limit = 20;
    benchmark::DoNotOptimize(client.list(closed));
    tracker::ListQuery all;
    all.limit = 20;
    benchmark::DoNotOptimize(client.list(all));
    client.remove(a);
    client.remove(b);
    client.remove(c);
  }

  TestDir dir{"trk"};
  std::unique_ptr<TrackerdProcess> process;
  tracker::Client client;
};

WatchedDaemon& watched_daemon() {
  static WatchedDaemon instance;
  return instance;
}

constexpr int kBlockIterations = 100;
constexpr double kSampleHz = 1000;

struct Block {
  int64_t daemon_cpu_ns = 0;
  int64_t ticks = 0;
  double thread_cpu_s = 0;
  int64_t normal_priority_ticks = 0;
};

// The daemon's CPU (ns) over kBlockIterations iterations.
int64_t daemon_cpu_over_block(WatchedDaemon& d, int& iteration) {
  const int64_t cpu_before = d.cpu_ns();
  for (int k = 0; k < kBlockIterations; ++k) d.iteration(iteration++);
  return d.cpu_ns() - cpu_before;
}

// A Sampler at `hz` watching the daemon and its counter file (0: no sampler thread, as
// `--sample-hz 0`; it is still built and attached).
Block sampler_block(WatchedDaemon& d, double hz, int& iteration) {
  leakgate::Sampler sampler(hz, leakgate::Sampler::Clock::now());
  leakgate::CounterSource counters;
  counters.kind = leakgate::CounterSource::Kind::kShm;
  counters.counter_path = d.counter_path();
  sampler.attach_daemon(d.process->pid(), counters);
  sampler.start();
  Block block;
  block.daemon_cpu_ns = daemon_cpu_over_block(d, iteration);
  sampler.stop();
  block.ticks = sampler.thread_ticks();
  block.thread_cpu_s = sampler.thread_cpu_seconds();
  block.normal_priority_ticks = sampler.normal_priority_ticks();
  return block;
}

// A thread at normal priority that wakes at 1 kHz (a condition variable with a deadline on the
// steady clock, as the Sampler's thread did before it moved to SCHED_IDLE) and reads nothing:
// what any ordinary 1 kHz thread costs the daemon on this machine, whatever it samples.
class WakeOnlyThread {
 public:
  WakeOnlyThread() : thread_([this] { run(); }) {}
  ~WakeOnlyThread() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  int64_t ticks() const { return ticks_.load(); }
  double cpu_seconds() const { return cpu_s_.load(); }

 private:
  void run() {
    using Clock = std::chrono::steady_clock;
    const auto period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / kSampleHz));
    auto next = Clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      ticks_.fetch_add(1, std::memory_order_relaxed);
      next = std::max(next + period, Clock::now());
      wake_.wait_until(lock, next, [this] { return stopping_; });
    }
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    cpu_s_ = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9;
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<int64_t> ticks_{0};
  std::atomic<double> cpu_s_{0};
  std::thread thread_;  // last: starts once the members it uses exist
};

Block wake_only_block(WatchedDaemon& d, int& iteration) {
  WakeOnlyThread thread;
  Block block;
  block.daemon_cpu_ns = daemon_cpu_over_block(d, iteration);
  thread.stop();
  block.ticks = thread.ticks();
  block.thread_cpu_s = thread.cpu_seconds();
  return block;
}

// One round: four blocks of ~0.17 s in a random order: no sampler, the Sampler at 1 kHz, a
// thread that only wakes at 1 kHz, and no sampler again (the control: it measures the noise
// floor the same way). Short blocks paired inside a round cancel most of a shared machine's
// drift, which runs over seconds; a repetition per round lets scripts/sampler-overhead-ratio
// pair them.
void BM_SamplerOverheadRound(benchmark::State& state) {
  WatchedDaemon& d = watched_daemon();
  static std::mt19937 order_rng(20261127);
  static int iteration = 0;
  enum Arm { kOff, kOn, kWakeOnly, kOffAgain };
  std::array<Arm, 4> order = {kOff, kOn, kWakeOnly, kOffAgain};
  std::array<Block, 4> blocks{};
  for (auto _ : state) {
    std::shuffle(order.begin(), order.end(), order_rng);
    for (const Arm arm : order) {
      if (arm == kWakeOnly) {
        blocks[arm] = wake_only_block(d, iteration);
      } else {
        blocks[arm] = sampler_block(d, arm == kOn ? kSampleHz : 0.0, iteration);
      }
    }
  }
  const auto per_iter_us = [](const Block& b) {
    return static_cast<double>(b.daemon_cpu_ns) / 1e3 / kBlockIterations;
  };
  const auto cpu_us_per_tick = [](const Block& b) {
    return b.ticks > 0 ? b.thread_cpu_s * 1e6 / static_cast<double>(b.ticks) : 0.0;
  };
  state.counters["off_us_per_iter"] = per_iter_us(blocks[kOff]);
  state.counters["on_us_per_iter"] = per_iter_us(blocks[kOn]);
  state.counters["wake_only_us_per_iter"] = per_iter_us(blocks[kWakeOnly]);
  state.counters["off_again_us_per_iter"] = per_iter_us(blocks[kOffAgain]);
  state.counters["sampler_ticks"] = static_cast<double>(blocks[kOn].ticks);
  state.counters["sampler_cpu_us_per_tick"] = cpu_us_per_tick(blocks[kOn]);
  state.counters["sampler_normal_priority_ticks"] =
      static_cast<double>(blocks[kOn].normal_priority_ticks);
  state.counters["wake_only_ticks"] = static_cast<double>(blocks[kWakeOnly].ticks);
  state.counters["wake_only_cpu_us_per_tick"] = cpu_us_per_tick(blocks[kWakeOnly]);
}
BENCHMARK(BM_SamplerOverheadRound)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
