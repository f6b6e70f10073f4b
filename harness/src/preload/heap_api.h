/* Internal interface of the malloc-family hooks (heap_hooks.c) and the sampled-allocation
 * table (heap_samples.c) to the C++ side (heap_sites.cpp). Hidden: only the hooks are
 * exported. */
#ifndef LEAKGATE_HEAP_API_H
#define LEAKGATE_HEAP_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* AddressSanitizer replaces malloc itself: hooks in front of it would hand its pointers to
 * glibc. Under ASan the library has no malloc hooks and publishes no heap figure. */
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define LG_HEAP_HOOKS 0
#elif defined(__has_feature) /* clang before 16 tells it only this way */
#if __has_feature(address_sanitizer)
#define LG_HEAP_HOOKS 0
#endif
#endif
#ifndef LG_HEAP_HOOKS
#define LG_HEAP_HOOKS 1
#endif

enum { LG_HEAP_MAX_FRAMES = 30 };

/* One live sampled allocation: the block's usable size, what it stands for (size / p and
 * 1 / p, p the chance that an allocation of this size is sampled) and its stack. */
struct leakgate_heap_sample {
  uintptr_t ptr;
  uint64_t size;
  double est_bytes;
  double est_blocks;
  uint32_t depth;
  uintptr_t frames[LG_HEAP_MAX_FRAMES];
};

/* The allocator the process really uses (next_malloc.c): every function from the object that
 * defines malloc; NULL where that object lacks it (the hooks emulate it) and usable_size NULL
 * when the heap cannot be measured (the hooks then only forward). */
struct leakgate_allocator {
  void* (*malloc)(size_t);
  void (*free)(void*);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*memalign)(size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
  size_t (*usable_size)(void*);
  const char* name; /* the object's path */
};

/* Resolved on the first call; NULL while the lookup itself runs on this thread (dlsym may
 * allocate): the hook then takes its block from the bootstrap arena. */
const struct leakgate_allocator* leakgate_next_allocator(void);
/* A block of the static arena (zeroed, never reused; NULL once it is used up). */
void* leakgate_bootstrap_alloc(size_t size, size_t alignment);
int leakgate_is_bootstrap(const void* ptr);
size_t leakgate_bootstrap_size(const void* ptr);

/* Whether the process's malloc is this library's (1), or a definition found before it: an
 * executable or an earlier preload with its own allocator, which the hooks never see. */
int leakgate_heap_hooks_interpose(void);

/* The calling thread's allocations are this library's own (its threads, its bookkeeping):
 * neither counted nor sampled. Returns the previous state. */
int leakgate_heap_internal(int on);

/* The hooks count from the first call in the process; start() also samples (mean interval
 * `mean_bytes`, 0: no sampling) and stop() turns both off (no harness, or a forked child).
 * Frames in [self_begin, self_end) are this library's. */
void leakgate_heap_start(uint64_t mean_bytes, uintptr_t self_begin, uintptr_t self_end);
void leakgate_heap_stop(void);

/* Live bytes (usable sizes) and blocks allocated through the hooks, summed over shards. */
void leakgate_heap_totals(int64_t* bytes, int64_t* blocks);

/* While paused, allocations of the calling thread are counted but never sampled (the dump's
 * own work). Returns the previous state. */
int leakgate_heap_pause_sampling(int pause);

/* The table. insert/forget are called by the hooks only. */
int leakgate_heap_table_init(void);
void leakgate_heap_table_insert(const struct leakgate_heap_sample* sample);
void leakgate_heap_table_forget(uintptr_t ptr);
size_t leakgate_heap_table_size(void);
/* fork()'s prepare handler takes the table's lock, its parent and child handlers drop it: a
 * forked worker continues the table (its own private copy) from a consistent state. */
void leakgate_heap_table_lock_for_fork(void);
void leakgate_heap_table_unlock_after_fork(void);
uint64_t leakgate_heap_table_dropped(void);
/* Copies up to `max` live samples; returns how many. */
size_t leakgate_heap_table_copy(struct leakgate_heap_sample* out, size_t max);

#ifdef __cplusplus
}
#endif

#endif
