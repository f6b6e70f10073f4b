/* Times open("/dev/null") and close() separately, in batches of 500 open fds; run it with
 * and without libleakgate_preload.so to get the cost of each hook (docs/profiling.md):
 *   preload_hook_overhead [ROUNDS]  ->  {"calls":N,"ns_per_open":X,"ns_per_close":Y}
 * Each figure is the fastest round's mean: the machine's noise only ever adds time. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { kBatch = 500 };

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* A frame of its own, like a daemon's call site: stacks have their usual depth. */
__attribute__((noinline)) static int open_one(void) {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) perror("preload_hook_overhead: open");
  return fd;
}

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 400;
  int fds[kBatch];
  double best_open = 1e300, best_close = 1e300;
  for (int round = 0; round < rounds; ++round) {
    const double t0 = now_ns();
    for (int i = 0; i < kBatch; ++i) fds[i] = open_one();
    const double t1 = now_ns();
    for (int i = 0; i < kBatch; ++i) close(fds[i]);
    const double t2 = now_ns();
    if (round < 10) continue; /* warm-up: page in, resolve symbols, warm the unwinder */
    if (t1 - t0 < best_open) best_open = t1 - t0;
    if (t2 - t1 < best_close) best_close = t2 - t1;
  }
  printf("{\"calls\":%d,\"ns_per_open\":%.1f,\"ns_per_close\":%.1f}\n", rounds * kBatch,
         best_open / kBatch, best_close / kBatch);
  return 0;
}
