/* The interposed malloc family: each forwards to the allocator the process really uses (the
 * next definitions, next_malloc.c: glibc's, jemalloc's, ...; never two mixed), counts the live
 * usable bytes and blocks in per-thread slots, and samples allocations by bytes for their
 * stacks (heap_samples.c). This library's own allocations (its threads, its bookkeeping) are
 * neither counted nor sampled.
 *
 * Counting starts with the first call in the process, before any constructor: every block
 * free()d through the hooks was counted when it was made, so the figure is exact. A block
 * from somewhere the hooks never saw (memory from __libc_malloc called directly) subtracts
 * its size once: the sum is clamped at zero on read, never negative. */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <errno.h>
#include <libunwind.h>
#include <malloc.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap_api.h"

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

enum { COUNTING = 0, SAMPLING = 1, OFF = 2 };
static _Atomic int g_state = COUNTING;

/* A slot per thread (the first 1024 threads), written only by its thread with a plain load
 * and store: an atomic add per call cost ~10 ns each here. Later threads, and a signal
 * handler that interrupted its thread's own update, add atomically to the shared slot. */
#define SLOTS 1024
struct slot {
  _Atomic int64_t bytes;
  _Atomic int64_t blocks;
} __attribute__((aligned(64)));
static struct slot g_slots[SLOTS];
static struct slot g_shared;
static _Atomic unsigned g_slots_used;

static double g_mean;
static uintptr_t g_self_begin, g_self_end;

static TLS struct slot* t_slot; /* NULL: not assigned yet */
static TLS int t_updating;
static TLS int64_t t_until; /* bytes left before the next sample */
static TLS uint64_t t_rng;
static TLS int t_busy;     /* inside a sample or a dump: count, never sample */
static TLS int t_internal; /* this library's own allocation: neither count nor sample */

static void add(int64_t bytes, int64_t blocks) {
  struct slot* s = t_slot;
  if (s == NULL) {
    const unsigned index = atomic_fetch_add_explicit(&g_slots_used, 1, memory_order_relaxed);
    s = t_slot = index < SLOTS ? &g_slots[index] : &g_shared;
  }
  if (s == &g_shared || t_updating) {
    atomic_fetch_add_explicit(&g_shared.bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_shared.blocks, blocks, memory_order_relaxed);
    return;
  }
  t_updating = 1;
  atomic_signal_fence(memory_order_seq_cst);
  atomic_store_explicit(&s->bytes, atomic_load_explicit(&s->bytes, memory_order_relaxed) + bytes,
                        memory_order_relaxed);
  atomic_store_explicit(&s->blocks, atomic_load_explicit(&s->blocks, memory_order_relaxed) + blocks,
                        memory_order_relaxed);
  atomic_signal_fence(memory_order_seq_cst);
  t_updating = 0;
}

/* Exponential intervals (mean g_mean): sampling by bytes is then a Poisson process, and an
 * allocation of s bytes is taken with probability 1 - exp(-s / mean) whatever came before. */
static int64_t next_interval(void) {
  if (t_rng == 0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    t_rng = ((uint64_t)(uintptr_t)&t_rng * 0x9E3779B97F4A7C15ull) ^ (uint64_t)now.tv_nsec ^ 1;
  }
  t_rng ^= t_rng >> 12; /* xorshift64* */
  t_rng ^= t_rng << 25;
  t_rng ^= t_rng >> 27;
  const double u = ((double)((t_rng * 0x2545F4914F6CDD1Dull) >> 11) + 1.0) / 9007199254740993.0;
  return (int64_t)(-log(u) * g_mean) + 1;
}

static int is_self(uintptr_t ip) { return ip >= g_self_begin && ip < g_self_end; }

__attribute__((noinline)) static void take_sample(void* ptr, size_t size) {
  void* raw[LG_HEAP_MAX_FRAMES + 8];
  const int n = unw_backtrace(raw, LG_HEAP_MAX_FRAMES + 8);
  int first = 0;
  while (first < n && is_self((uintptr_t)raw[first])) ++first;
  for (int i = first; i < n; ++i) {
    if (is_self((uintptr_t)raw[i])) return; /* this library's own bookkeeping */
  }
  struct leakgate_heap_sample sample;
  sample.ptr = (uintptr_t)ptr;
  sample.size = size;
  const double p = -expm1(-(double)size / g_mean);
  sample.est_blocks = p > 0 ? 1.0 / p : 1.0;
  sample.est_bytes = (double)size * sample.est_blocks;
  sample.depth = 0;
  for (int i = first; i < n && sample.depth < LG_HEAP_MAX_FRAMES; ++i) {
    sample.frames[sample.depth++] = (uintptr_t)raw[i];
  }
  leakgate_heap_table_insert(&sample);
}

static void maybe_sample(void* ptr, size_t size) {
  if (t_busy) return;
  if (t_until == 0) t_until = next_interval(); /* this thread's first allocation */
  t_until -= (int64_t)size;
  if (t_until > 0) return;
  const int saved_errno = errno;
  t_busy = t_internal = 1; /* the unwinder may allocate: ours, not the daemon's */
  t_until = next_interval();
  take_sample(ptr, size);
  t_busy = t_internal = 0;
  errno = saved_errno;
}

/* Both unused under ASan (no hooks, see heap_api.h). */
__attribute__((unused)) static void* allocated(const struct leakgate_allocator* a, void* ptr) {
  const int state = atomic_load_explicit(&g_state, memory_order_relaxed);
  if (ptr == NULL || state == OFF || t_internal) return ptr;
  const size_t size = a->usable_size(ptr);
  add((int64_t)size, 1);
  if (state == SAMPLING) maybe_sample(ptr, size);
  return ptr;
}

/* Before the block is released: once freed, another thread may get the same address. */
__attribute__((unused)) static void releasing(const struct leakgate_allocator* a, void* ptr) {
  const int state = atomic_load_explicit(&g_state, memory_order_relaxed);
  if (state == OFF || t_internal) return;
  add(-(int64_t)a->usable_size(ptr), -1);
  if (state == SAMPLING) leakgate_heap_table_forget((uintptr_t)ptr);
}

#if LG_HEAP_HOOKS
#define PAGE ((size_t)sysconf(_SC_PAGESIZE))

/* memalign with what the allocator has: memalign, posix_memalign or aligned_alloc. */
static void* next_aligned(const struct leakgate_allocator* a, size_t alignment, size_t size) {
  if (a->memalign != NULL) return a->memalign(alignment, size);
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  if (a->posix_memalign != NULL) {
    void* ptr = NULL;
    const int error = a->posix_memalign(&ptr, alignment, size);
    if (error != 0) errno = error;
    return error == 0 ? ptr : NULL;
  }
  if (a->aligned_alloc != NULL)
    return a->aligned_alloc(alignment, (size + alignment - 1) & ~(alignment - 1));
  errno = ENOMEM;
  return NULL;
}

EXPORT void* malloc(size_t size) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  if (__builtin_expect(a == NULL, 0)) return leakgate_bootstrap_alloc(size, 16);
  return allocated(a, a->malloc(size));
}

EXPORT void free(void* ptr) {
  if (ptr == NULL || leakgate_is_bootstrap(ptr)) return;
  const struct leakgate_allocator* a = leakgate_next_allocator();
  if (a == NULL) return; /* a block freed while dlsym runs: cannot be the arena's, keep it */
  releasing(a, ptr);
  a->free(ptr);
}

EXPORT void* calloc(size_t count, size_t size) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  if (a == NULL) return leakgate_bootstrap_alloc(total, 16); /* the arena is zeroed */
  if (a->calloc != NULL) return allocated(a, a->calloc(count, size));
  void* ptr = a->malloc(total);
  if (ptr != NULL) memset(ptr, 0, total);
  return allocated(a, ptr);
}

EXPORT void* realloc(void* ptr, size_t size) {
  if (ptr == NULL) return malloc(size);
  if (leakgate_is_bootstrap(ptr)) { /* move it out of the arena */
    const size_t old_size = leakgate_bootstrap_size(ptr);
    void* moved = malloc(size);
    if (moved != NULL) memcpy(moved, ptr, old_size < size ? old_size : size);
    return moved;
  }
  if (size == 0) { /* glibc (and jemalloc's default) frees and returns NULL */
    free(ptr);
    return NULL;
  }
  const struct leakgate_allocator* a = leakgate_next_allocator();
  if (a == NULL) return NULL;
  const int state = atomic_load_explicit(&g_state, memory_order_relaxed);
  if (state == OFF || t_internal) return a->realloc(ptr, size);
  const size_t old_size = a->usable_size(ptr);
  if (state == SAMPLING) leakgate_heap_table_forget((uintptr_t)ptr);
  void* moved = a->realloc(ptr, size);
  if (moved == NULL) return NULL; /* the old block stays, still counted (its sample is lost) */
  add(-(int64_t)old_size, -1);
  return allocated(a, moved);
}

EXPORT void* reallocarray(void* ptr, size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(ptr, total);
}

EXPORT void* memalign(size_t alignment, size_t size) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  if (a == NULL) return leakgate_bootstrap_alloc(size, alignment);
  return allocated(a, next_aligned(a, alignment, size));
}

EXPORT void* aligned_alloc(size_t alignment, size_t size) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  if (a == NULL) return leakgate_bootstrap_alloc(size, alignment);
  if (a->aligned_alloc != NULL) return allocated(a, a->aligned_alloc(alignment, size));
  return allocated(a, next_aligned(a, alignment, size));
}

EXPORT int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) {
    return EINVAL;
  }
  const struct leakgate_allocator* a = leakgate_next_allocator();
  const int saved_errno = errno;
  void* ptr =
      a == NULL ? leakgate_bootstrap_alloc(size, alignment) : next_aligned(a, alignment, size);
  errno = saved_errno;
  if (ptr == NULL) return ENOMEM;
  *out = a == NULL ? ptr : allocated(a, ptr);
  return 0;
}

EXPORT void* valloc(size_t size) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  if (a == NULL) return leakgate_bootstrap_alloc(size, PAGE);
  return allocated(a, a->valloc != NULL ? a->valloc(size) : next_aligned(a, PAGE, size));
}

EXPORT void* pvalloc(size_t size) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  const size_t rounded = (size + PAGE - 1) & ~(PAGE - 1);
  if (a == NULL) return leakgate_bootstrap_alloc(rounded ? rounded : PAGE, PAGE);
  if (a->pvalloc != NULL) return allocated(a, a->pvalloc(size));
  return allocated(a, next_aligned(a, PAGE, rounded ? rounded : PAGE));
}

EXPORT size_t malloc_usable_size(void* ptr) {
  if (ptr == NULL) return 0;
  if (leakgate_is_bootstrap(ptr)) return leakgate_bootstrap_size(ptr);
  const struct leakgate_allocator* a = leakgate_next_allocator();
  return a != NULL && a->usable_size != NULL ? a->usable_size(ptr) : 0;
}

/* This library's own malloc, whatever the process's "malloc" resolves to. */
extern __typeof(malloc) leakgate_own_malloc
    __attribute__((alias("malloc"), visibility("hidden"), copy(malloc)));

int leakgate_heap_hooks_interpose(void) {
  const struct leakgate_allocator* a = leakgate_next_allocator();
  return dlsym(RTLD_DEFAULT, "malloc") == (void*)&leakgate_own_malloc && a != NULL &&
         a->usable_size != NULL;
}

#else
int leakgate_heap_hooks_interpose(void) { return 0; }
#endif

int leakgate_heap_internal(int on) {
  const int previous = t_internal;
  t_internal = on;
  return previous;
}

void leakgate_heap_start(uint64_t mean_bytes, uintptr_t self_begin, uintptr_t self_end) {
  g_self_begin = self_begin;
  g_self_end = self_end;
  g_mean = (double)mean_bytes;
  const int sampling = mean_bytes > 0 && leakgate_heap_table_init();
  atomic_store(&g_state, sampling ? SAMPLING : COUNTING);
}

void leakgate_heap_stop(void) { atomic_store(&g_state, OFF); }

void leakgate_heap_totals(int64_t* bytes, int64_t* blocks) {
  int64_t b = atomic_load_explicit(&g_shared.bytes, memory_order_relaxed);
  int64_t n = atomic_load_explicit(&g_shared.blocks, memory_order_relaxed);
  /* Only the slots handed out so far: summing all 1024 (128 KiB) every 2 ms was a few % of a
   * core in an idle daemon. */
  const unsigned used = atomic_load_explicit(&g_slots_used, memory_order_acquire);
  for (unsigned i = 0; i < used && i < SLOTS; ++i) {
    b += atomic_load_explicit(&g_slots[i].bytes, memory_order_relaxed);
    n += atomic_load_explicit(&g_slots[i].blocks, memory_order_relaxed);
  }
  *bytes = b < 0 ? 0 : b;
  *blocks = n < 0 ? 0 : n;
}

int leakgate_heap_pause_sampling(int pause) {
  const int previous = t_busy;
  t_busy = pause;
  return previous;
}
