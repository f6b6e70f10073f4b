// What the sampler thread costs the daemon it watches: trackerd's CPU time per iteration of
// scenarios/bench/overhead.yaml's requests (3 creates, 2 gets, 2 updates, 2 lists,
// 3 deletes, through tracker::Client over the Unix socket), with leakgate's Sampler at 1 kHz
// on that daemon and its counter file vs no sampler thread.
//
// Whole `leakgate run`s (scripts/bench's overhead rows) start a fresh daemon each time, and
// their run-to-run spread (~10% on a shared 2-vCPU machine) is larger than the effect. Here
// one daemon serves every repetition, the two arms alternate (run with
// --benchmark_enable_random_interleaving), and the daemon's CPU is read in nanoseconds
// (the sum of /proc/PID/task/*/schedstat), not in 10 ms clock ticks.
// scripts/sampler-overhead-ratio prints the ratio.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sampler.h"
#include "temp_dir.h"
#include "tracker/client.h"
#include "trackerd_process.h"

namespace {

using tracker::testing::TempDir;
using tracker::testing::TrackerdProcess;

// trackerd as scenarios/bench/overhead.yaml starts it, publishing its counters.
struct WatchedDaemon {
  WatchedDaemon()
      : process(std::make_unique<TrackerdProcess>(
            std::vector<std::string>{"--db", (dir / "bench.db").string(), "--socket",
                                     (dir / "d.sock").string(), "--sync-interval", "20ms"},
            dir / "trackerd.log",
            std::map<std::string, std::string>{{"LEAKGATE_COUNTERS", counter_path()}})),
        client(process->endpoint()) {}
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

  TempDir dir;
  std::unique_ptr<TrackerdProcess> process;
  tracker::Client client;
};

WatchedDaemon& watched_daemon() {
  static WatchedDaemon instance;
  return instance;
}

// Arg: the sampler's rate (0 = no sampler thread, as `--sample-hz 0`).
void BM_DaemonCpuPerIteration(benchmark::State& state) {
  WatchedDaemon& d = watched_daemon();
  const double hz = static_cast<double>(state.range(0));
  leakgate::Sampler sampler(hz, leakgate::Sampler::Clock::now(), 10);
  leakgate::CounterSource counters;
  counters.kind = leakgate::CounterSource::Kind::kShm;
  counters.counter_path = d.counter_path();
  sampler.attach_daemon(d.process->pid(), counters);
  for (int i = 0; i < 20; ++i) d.iteration(i);  // warm: the previous arm's tail is not ours
  sampler.start();
  const int64_t cpu_before = d.cpu_ns();
  int i = 0;
  for (auto _ : state) d.iteration(i++);
  const int64_t cpu_after = d.cpu_ns();
  sampler.stop();
  state.counters["daemon_cpu_us_per_iter"] =
      static_cast<double>(cpu_after - cpu_before) / 1e3 / static_cast<double>(state.iterations());
  state.counters["sampler_ticks_per_s"] =
      benchmark::Counter(static_cast<double>(sampler.thread_ticks()), benchmark::Counter::kIsRate);
  state.counters["sampler_cpu_us_per_tick"] =
      sampler.thread_ticks() > 0
          ? sampler.thread_cpu_seconds() * 1e6 / static_cast<double>(sampler.thread_ticks())
          : 0.0;
}
BENCHMARK(BM_DaemonCpuPerIteration)->Arg(0)->Arg(1000)->Iterations(1500)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
