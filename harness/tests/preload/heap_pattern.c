/* heap_pattern: a known allocation pattern for preload_test, plain C, not linked with
 * leakgate. It runs one phase per line on stdin and answers each with "<phase> <bytes>
 * <blocks>": the change of live usable bytes and blocks that phase made, computed with
 * malloc_usable_size. The test compares it with the counter file's heap figure. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long long g_bytes, g_blocks; /* this phase's expected change */

static void* kept(void* ptr) {
  if (ptr != NULL) {
    g_bytes += (long long)malloc_usable_size(ptr);
    g_blocks += 1;
  }
  return ptr;
}

static void dropped(void* ptr) {
  g_bytes -= (long long)malloc_usable_size(ptr);
  g_blocks -= 1;
  free(ptr);
}

/* Made before any shared library's constructor ran, the preload's included. */
static void* g_early;
static void allocate_early(void) { g_early = malloc(777); }
__attribute__((section(".preinit_array"),
               used)) static void (*const g_preinit)(void) = allocate_early;

static void* g_phase1[12];

static void phase_every_function(void) {
  int n = 0;
  g_phase1[n++] = kept(malloc(100));
  g_phase1[n++] = kept(calloc(10, 300));
  char* grown = malloc(50);
  strcpy(grown, "x");
  g_phase1[n++] = kept(realloc(grown, 5000)); /* the 50 is gone: not counted here */
  char* shrunk = malloc(100000);
  g_phase1[n++] = kept(realloc(shrunk, 10));
  void* aligned = NULL;
  if (posix_memalign(&aligned, 256, 1000) == 0) g_phase1[n++] = kept(aligned);
  g_phase1[n++] = kept(aligned_alloc(64, 640));
  g_phase1[n++] = kept(memalign(4096, 100));
  g_phase1[n++] = kept(valloc(3000));
  g_phase1[n++] = kept(pvalloc(5000));
  g_phase1[n++] = kept(reallocarray(NULL, 30, 40));
  g_phase1[n++] = kept(malloc(1 << 20)); /* mmap'ed by glibc */
  free(realloc(malloc(10), 0));          /* realloc to 0 frees */
  free(NULL);
}

static void phase_free_early(void) { dropped(g_early); }

/* A forked child's allocations are its own, whether it frees them or not. */
static void phase_fork(void) {
  const pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 100; ++i) memset(malloc(10000), 1, 10000);
    free(malloc(100));
    _exit(0);
  }
  waitpid(pid, NULL, 0);
}

enum { kThreads = 4, kPerThread = 2000 };
static void* g_made[kThreads][kPerThread];
static long long g_thread_bytes[kThreads];

static void* make_blocks(void* arg) {
  const long t = (long)arg;
  for (int i = 0; i < kPerThread; ++i) {
    g_made[t][i] = malloc((size_t)(16 + (i * 37 + t) % 2000));
    g_thread_bytes[t] += (long long)malloc_usable_size(g_made[t][i]);
  }
  return NULL;
}

/* Each thread frees the odd blocks its neighbour made. */
static void* free_blocks(void* arg) {
  const long t = (long)arg;
  const long other = (t + 1) % kThreads;
  for (int i = 1; i < kPerThread; i += 2) {
    g_thread_bytes[t] -= (long long)malloc_usable_size(g_made[other][i]);
    free(g_made[other][i]);
  }
  return NULL;
}

static void run_threads(void* (*fn)(void*)) {
  pthread_t threads[kThreads];
  for (long t = 0; t < kThreads; ++t) pthread_create(&threads[t], NULL, fn, (void*)t);
  for (int t = 0; t < kThreads; ++t) pthread_join(threads[t], NULL);
}

static void* nothing(void* arg) { return arg; }

static void phase_threads(void) {
  for (int t = 0; t < kThreads; ++t) g_thread_bytes[t] = 0;
  run_threads(make_blocks);
  run_threads(free_blocks);
  for (int t = 0; t < kThreads; ++t) g_bytes += g_thread_bytes[t];
  g_blocks += kThreads * kPerThread / 2;
}

static void phase_free_all(void) {
  for (int i = 0; i < 12; ++i) {
    if (g_phase1[i] != NULL) dropped(g_phase1[i]);
  }
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; i += 2) dropped(g_made[t][i]);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0); /* no stdio buffer appears in a phase */
  setvbuf(stdin, NULL, _IONBF, 0);
  /* A new thread's TLS vector is calloc'ed and kept with its cached stack: start the threads
   * once now, so the phase's threads reuse them. */
  run_threads(nothing);
  void (*const phases[])(void) = {phase_every_function, phase_free_early, phase_fork, phase_threads,
                                  phase_free_all};
  const int count = (int)(sizeof(phases) / sizeof(phases[0]));
  char line[64];
  printf("ready\n");
  for (int i = 0; i < count && fgets(line, sizeof line, stdin) != NULL; ++i) {
    g_bytes = g_blocks = 0;
    phases[i]();
    printf("%d %lld %lld\n", i + 1, g_bytes, g_blocks);
  }
  /* Until stdin closes: exit frees more (stdio, the preload's publisher). */
  while (fgets(line, sizeof line, stdin) != NULL) {
  }
  return 0;
}
