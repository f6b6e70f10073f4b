// trackerd throughput and latency through tracker::Client: GET /issues/{id} and POST /issues,
// one reused session vs a session per call (the historical bug), over the Unix socket and TCP;
// and the daemon's RSS before and after 100,000 requests. scripts/tracker-bench-ratio
// summarizes the JSON output.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <vector>

#include "tcmalloc_memory_manager.h"
#include "test_dir.h"
#include "tracker/client.h"
#include "trackerd_process.h"

namespace {

using tracker::Client;
using tracker::ClientOptions;
using leakgate::testing::TestDir;
using tracker::testing::TrackerdProcess;

enum Transport : int64_t { kUnix = 0, kTcp = 1 };
enum Sessions : int64_t { kReused = 0, kPerCall = 1 };

// A daemon in a private directory, SIGTERMed at the end of the run. Session-per-call
// connections are never closed by the client, and each idle one holds a daemon worker until
// the 1 s keep-alive timeout. Two daemons per transport show both costs of the bug: one with
// trackerd's default 16 workers (what a user runs: the leaked sessions starve the pool) and
// one with 256 workers (the pool never runs out: only the per-connection cost remains).
constexpr int kDefaultWorkers = 16;
constexpr int kManyWorkers = 256;

struct BenchDaemon {
  explicit BenchDaemon(Transport transport, int workers) {
    std::vector<std::string> args{"--db",      (dir / "bench.db").string(), "--sync-interval", "1s",
                                  "--workers", std::to_string(workers)};
    if (transport == kUnix) {
      args.insert(args.end(), {"--socket", (dir / "d.sock").string()});
    } else {
      args.insert(args.end(),
                  {"--listen", "127.0.0.1:0", "--token-file", (dir / "token").string()});
    }
    process = std::make_unique<TrackerdProcess>(args, dir / "trackerd.log");
    if (transport == kTcp) token = tracker::read_token_file(dir / "token");
  }
  ~BenchDaemon() { process->stop(SIGTERM); }

  Client client(Sessions sessions) const {
    ClientOptions options;
    options.endpoint = process->endpoint();
    options.token = token;
    options.session_per_call = sessions == kPerCall;
    return Client(options);
  }
  int64_t rss_kib() const {
    std::ifstream statm("/proc/" + std::to_string(process->pid()) + "/statm");
    int64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * ::sysconf(_SC_PAGESIZE) / 1024;
  }

  TestDir dir{"trk"};
  std::unique_ptr<TrackerdProcess> process;
  std::string token;
};

BenchDaemon& shared_daemon(Transport transport, int workers) {
  static BenchDaemon unix_default(kUnix, kDefaultWorkers);
  static BenchDaemon tcp_default(kTcp, kDefaultWorkers);
  static BenchDaemon unix_many(kUnix, kManyWorkers);
  static BenchDaemon tcp_many(kTcp, kManyWorkers);
  if (workers == kDefaultWorkers) return transport == kUnix ? unix_default : tcp_default;
  return transport == kUnix ? unix_many : tcp_many;
}

tracker::NewIssue bench_issue() {
  tracker::NewIssue issue;
  issue.title = "benchmark issue";
  issue.body = "a body of moderate length for a realistic request";
  issue.labels = {"bench"};
  return issue;
}

// Times each call; reports req/s and p50/p99 latency in microseconds.
template <class Call>
void run_timed(benchmark::State& state, Call call) {
  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<size_t>(state.max_iterations));
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    call();
    latencies_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  const auto percentile = [&](double p) {
    return latencies_us.empty() ? 0.0
                                : latencies_us[static_cast<size_t>(p * (latencies_us.size() - 1))];
  };
  state.counters["req_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
}

void set_label(benchmark::State& state) {
  state.SetLabel(std::string(state.range(0) == kUnix ? "unix" : "tcp") + "/" +
                 (state.range(1) == kReused ? "reused" : "session-per-call") + "/" +
                 std::to_string(state.range(2)) + "-workers");
}

void BM_GetIssue(benchmark::State& state) {
  const auto transport = static_cast<Transport>(state.range(0));
  BenchDaemon& daemon = shared_daemon(transport, static_cast<int>(state.range(2)));
  const int64_t id = daemon.client(kReused).create(bench_issue()).id;
  Client client = daemon.client(static_cast<Sessions>(state.range(1)));
  run_timed(state, [&] { benchmark::DoNotOptimize(client.get(id)); });
  set_label(state);
}

void BM_CreateIssue(benchmark::State& state) {
  Client client =
      shared_daemon(static_cast<Transport>(state.range(0)), static_cast<int>(state.range(2)))
          .client(static_cast<Sessions>(state.range(1)));
  const tracker::NewIssue issue = bench_issue();
  run_timed(state, [&] { benchmark::DoNotOptimize(client.create(issue)); });
  set_label(state);
}

// 100,000 GET /issues/{id} through one reused session on a fresh daemon (default workers):
// RSS growth is what a per-request leak would show.
void BM_DaemonRssOver100kRequests(benchmark::State& state) {
  constexpr int kRequests = 100'000;
  for (auto _ : state) {
    state.PauseTiming();
    BenchDaemon daemon(kUnix, kDefaultWorkers);
    Client client = daemon.client(kReused);
    const int64_t id = client.create(bench_issue()).id;
    for (int i = 0; i < 2000; ++i) client.get(id);  // warm-up: caches and arenas filled
    const int64_t before = daemon.rss_kib();
    state.ResumeTiming();
    for (int i = 0; i < kRequests; ++i) benchmark::DoNotOptimize(client.get(id));
    state.PauseTiming();
    const int64_t after = daemon.rss_kib();
    state.counters["rss_before_kib"] = static_cast<double>(before);
    state.counters["rss_after_kib"] = static_cast<double>(after);
    state.counters["rss_growth_kib"] = static_cast<double>(after - before);
    state.counters["req_per_s"] = benchmark::Counter(kRequests, benchmark::Counter::kIsRate);
    state.ResumeTiming();
  }
}

void reused_sessions(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"transport", "per_call", "workers"})
      ->Args({kUnix, kReused, kDefaultWorkers})
      ->Args({kTcp, kReused, kDefaultWorkers});
}
void session_per_call(int workers, benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"transport", "per_call", "workers"})
      ->Args({kUnix, kPerCall, workers})
      ->Args({kTcp, kPerCall, workers});
}

// Registration order is run order. The starving runs come last: their leaked sessions hold
// the default daemons' workers for a keep-alive second, which would stall a later reused run.
BENCHMARK(BM_GetIssue)->Apply(reused_sessions)->Iterations(5000)->UseRealTime();
BENCHMARK(BM_CreateIssue)->Apply(reused_sessions)->Iterations(2000)->UseRealTime();
// 100 calls stay below 256 workers: the cost of a connection per call, nothing else.
BENCHMARK(BM_GetIssue)->Apply([](auto* bench) {
                        session_per_call(kManyWorkers, bench);
                      }) -> Iterations(100) -> UseRealTime();
BENCHMARK(BM_CreateIssue)->Apply([](auto* bench) {
                           session_per_call(kManyWorkers, bench);
                         }) -> Iterations(100) -> UseRealTime();
// Against the default daemon: 16 calls at once, then 16 per keep-alive second (about 5 s).
BENCHMARK(BM_GetIssue)->Apply([](auto* bench) {
                        session_per_call(kDefaultWorkers, bench);
                      }) -> Iterations(100) -> UseRealTime();
BENCHMARK(BM_DaemonRssOver100kRequests)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

// BENCHMARK_MAIN() plus tcmalloc's allocation figures in the JSON output.
int main(int argc, char** argv) {
  return leakgate::bench::run_benchmarks_with_memory_figures(argc, argv);
}
