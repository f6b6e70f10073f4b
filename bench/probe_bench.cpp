// How much a /proc sample costs, against the floor of what any sampler must do.
// The target is a child holding 100 open fds (files, sockets, pipes).
// scripts/probe-ratio prints "full sample / floor" from this program's JSON output.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "leakgate/accounted.h"
#include "leakgate/counter_file.h"
#include "leakgate/process_probe.h"
#include "leakgate/unique_fd.h"
#include "tcmalloc_memory_manager.h"

namespace {

constexpr int kFds = 100;

// The forked target: 60 files, 20 sockets, 10 pipes (20 fds) = 100 fds above stdio.
pid_t target_pid() {
  static const pid_t pid = [] {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) std::abort();
    const pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (int i = 0; i < 60; ++i) open("/dev/null", O_RDONLY);
      for (int i = 0; i < 20; ++i) socket(AF_UNIX, SOCK_STREAM, 0);
      for (int i = 0; i < 10; ++i) {
        int p[2];
        if (pipe(p) != 0) _exit(1);
      }
      char c = 'r';
      if (write(ready[1], &c, 1) != 1) _exit(1);
      for (;;) pause();
    }
    close(ready[1]);
    char c = 0;
    if (read(ready[0], &c, 1) != 1) std::abort();
    close(ready[0]);
    std::atexit([] {
      kill(target_pid(), SIGKILL);
      waitpid(target_pid(), nullptr, 0);
    });
    return child;
  }();
  return pid;
}

leakgate::ProcessProbe& probe() {
  static leakgate::ProcessProbe p(target_pid());
  return p;
}

void BM_FdCount(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(probe().fd_count());
  state.counters["fds"] = static_cast<double>(*probe().fd_count());
}
BENCHMARK(BM_FdCount);

void BM_FdsByType(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(probe().fd_counts_by_type());
}
BENCHMARK(BM_FdsByType);

void BM_Rss(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(probe().rss_bytes());
}
BENCHMARK(BM_Rss);

void BM_Threads(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(probe().threads());
}
BENCHMARK(BM_Threads);

// The alternative the probe does not use: open/read/close /proc/PID/status each time.
void BM_ThreadsFromStatusOpenRead(benchmark::State& state) {
  const std::string path = "/proc/" + std::to_string(target_pid()) + "/status";
  char buf[4096];
  for (auto _ : state) {
    leakgate::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    benchmark::DoNotOptimize(read(fd.get(), buf, sizeof buf));
  }
}
BENCHMARK(BM_ThreadsFromStatusOpenRead);

void BM_Children(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(probe().children());
}
BENCHMARK(BM_Children);

// What the sampler takes each tick: fd count + RSS + threads.
void BM_FullSample(benchmark::State& state) {
  leakgate::ProcessProbe& p = probe();
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.fd_count());
    benchmark::DoNotOptimize(p.rss_bytes());
    benchmark::DoNotOptimize(p.threads());
  }
}
BENCHMARK(BM_FullSample);

// The floor: the cheapest way the kernel offers to the same figures, with no parsing. The fd
// count is one fstat of a kept-open /proc/PID/fd where the kernel reports it as the size
// (Linux >= 6.2), else a bare getdents64 loop; one pread of a kept-open statm (RSS); one fstat
// of a kept-open /proc/PID/task (threads: its link count).
void BM_Floor(benchmark::State& state) {
  const std::string dir = "/proc/" + std::to_string(target_pid());
  leakgate::UniqueFd fd_dir(open((dir + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  leakgate::UniqueFd statm(open((dir + "/statm").c_str(), O_RDONLY | O_CLOEXEC));
  leakgate::UniqueFd task_dir(open((dir + "/task").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat dir_stat {};
  const bool size_is_count = fstat(fd_dir.get(), &dir_stat) == 0 && dir_stat.st_size > 0;
  alignas(8) char buf[16384];
  char text[256];
  for (auto _ : state) {
    if (size_is_count) {
      benchmark::DoNotOptimize(fstat(fd_dir.get(), &dir_stat));
    } else {
      lseek(fd_dir.get(), 0, SEEK_SET);
      while (getdents64(fd_dir.get(), buf, sizeof buf) > 0) benchmark::DoNotOptimize(buf);
    }
    benchmark::DoNotOptimize(pread(statm.get(), text, sizeof text, 0));
    benchmark::DoNotOptimize(fstat(task_dir.get(), &dir_stat));
  }
}
BENCHMARK(BM_Floor);

void BM_CounterFileRead(benchmark::State& state) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("probe_bench." + std::to_string(getpid())))
          .string();
  std::vector<leakgate::Accounted> held;
  for (const char* name : {"sessions", "engines", "connections", "statements", "tasks"}) {
    held.emplace_back(leakgate::kind(name));
  }
  {
    leakgate::CounterPublisher publisher(path);
    auto reader = leakgate::CounterFileReader::open(path);
    if (!reader) {
      state.SkipWithError("cannot open the counter file");
      return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(reader->read());
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_CounterFileRead);

}  // namespace

// BENCHMARK_MAIN() plus tcmalloc's allocation figures in the JSON output.
int main(int argc, char** argv) {
  return leakgate::bench::run_benchmarks_with_memory_figures(argc, argv);
}
