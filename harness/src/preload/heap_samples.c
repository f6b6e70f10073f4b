/* Live sampled allocations: an open-addressing table (linear probing, backward-shift
 * deletion) keyed by pointer, under a spin lock. Samples are rare (one per ~mean bytes), but
 * every free() asks "was this sampled?": a per-home-slot count answers "no" without the lock. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "heap_api.h"

#define CAPACITY (1u << 15) /* 24k live samples: ~200 MB of live heap at 8 KiB */
#define MASK (CAPACITY - 1)
#define LIMIT (CAPACITY / 4 * 3) /* beyond this a sample is dropped: probes stay short */

static struct leakgate_heap_sample* g_slots; /* mmap'ed by init, never unmapped */
static _Atomic uint16_t* g_home_count;       /* entries whose home slot is i */
static size_t g_size;
static _Atomic uint64_t g_dropped;
static atomic_flag g_lock = ATOMIC_FLAG_INIT;
/* Set while this thread holds the lock: a signal handler's free() on the same thread must not
 * spin on it. */
static __thread int t_holding __attribute__((tls_model("initial-exec")));

static uint32_t home(uintptr_t ptr) {
  return (uint32_t)(((uint64_t)(ptr >> 4) * 0x9E3779B97F4A7C15ull) >> 49) & MASK;
}

static void lock(void) {
  while (atomic_flag_test_and_set_explicit(&g_lock, memory_order_acquire)) sched_yield();
  t_holding = 1;
}

static void unlock(void) {
  t_holding = 0;
  atomic_flag_clear_explicit(&g_lock, memory_order_release);
}

int leakgate_heap_table_init(void) {
  if (g_slots != NULL) return 1;
  /* Virtual only: pages are touched as slots are used. */
  void* slots = mmap(NULL, sizeof(struct leakgate_heap_sample) * CAPACITY, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  void* counts = mmap(NULL, sizeof(uint16_t) * CAPACITY, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (slots == MAP_FAILED || counts == MAP_FAILED) return 0;
  g_home_count = counts;
  g_slots = slots;
  return 1;
}

/* Under the lock. The slot holding ptr, or the empty slot where its probe ends. */
static uint32_t find(uintptr_t ptr) {
  uint32_t i = home(ptr);
  while (g_slots[i].ptr != 0 && g_slots[i].ptr != ptr) i = (i + 1) & MASK;
  return i;
}

void leakgate_heap_table_insert(const struct leakgate_heap_sample* sample) {
  if (g_slots == NULL || t_holding) return;
  lock();
  const uint32_t i = find(sample->ptr);
  if (g_slots[i].ptr == sample->ptr) {
    /* A stale entry (its free could not take the lock): the address is live again. */
    g_slots[i] = *sample;
  } else if (g_size >= LIMIT) {
    atomic_fetch_add_explicit(&g_dropped, 1, memory_order_relaxed);
  } else {
    g_slots[i] = *sample;
    ++g_size;
    atomic_fetch_add_explicit(&g_home_count[home(sample->ptr)], 1, memory_order_release);
  }
  unlock();
}

void leakgate_heap_table_forget(uintptr_t ptr) {
  if (g_slots == NULL) return;
  const uint32_t h = home(ptr);
  if (atomic_load_explicit(&g_home_count[h], memory_order_acquire) == 0) return;
  if (t_holding) return; /* a handler interrupted our own insert: leave a stale entry */
  lock();
  uint32_t i = find(ptr);
  if (g_slots[i].ptr == ptr) {
    atomic_fetch_sub_explicit(&g_home_count[h], 1, memory_order_relaxed);
    --g_size;
    /* Backward shift: move later entries of the run into the hole unless their home lies
     * cyclically in (hole, j]. */
    for (uint32_t j = (i + 1) & MASK; g_slots[j].ptr != 0; j = (j + 1) & MASK) {
      const uint32_t k = home(g_slots[j].ptr);
      const int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      g_slots[i] = g_slots[j];
      i = j;
    }
    g_slots[i].ptr = 0;
  }
  unlock();
}

void leakgate_heap_table_lock_for_fork(void) {
  if (g_slots != NULL) lock();
}

void leakgate_heap_table_unlock_after_fork(void) {
  if (g_slots != NULL) unlock();
}

size_t leakgate_heap_table_size(void) {
  if (g_slots == NULL) return 0;
  lock();
  const size_t size = g_size;
  unlock();
  return size;
}

uint64_t leakgate_heap_table_dropped(void) {
  return atomic_load_explicit(&g_dropped, memory_order_relaxed);
}

size_t leakgate_heap_table_copy(struct leakgate_heap_sample* out, size_t max) {
  if (g_slots == NULL) return 0;
  size_t n = 0;
  lock();
  for (uint32_t i = 0; i < CAPACITY && n < max; ++i) {
    if (g_slots[i].ptr != 0) out[n++] = g_slots[i];
  }
  unlock();
  return n;
}
