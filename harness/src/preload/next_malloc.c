/* The allocator the process really uses: the next definitions of the malloc family after
 * this library (glibc's, or jemalloc's, tcmalloc's, mimalloc's when the daemon links one),
 * found with dlsym(RTLD_NEXT) (or the process's own, when one is found before this library,
 * see g_where). Every function is taken from the object that defines malloc:
 * jemalloc has no pvalloc, and glibc's behind it would hand glibc blocks to jemalloc's free.
 * What that object lacks is emulated with what it has (heap_hooks.c).
 *
 * dlsym itself may allocate (an error string, a thread's dlerror buffer): while the lookup
 * runs on a thread, that thread's allocations come from a static bootstrap arena, whose
 * blocks free() recognises and ignores. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "heap_api.h"

/* glibc's own entry points: the fallback when RTLD_NEXT finds no malloc at all. */
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void __libc_free(void* ptr);
void* __libc_memalign(size_t alignment, size_t size);

static struct leakgate_allocator g_alloc;
static _Atomic int g_ready;
static pthread_mutex_t g_resolve_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int t_resolving __attribute__((tls_model("initial-exec")));

/* Where the allocator's functions are looked up: after this library (RTLD_NEXT) — unless the
 * process's malloc is found before it (an executable or an earlier preload with its own
 * allocator, whose calls never reach the hooks): then in the process's scope (RTLD_DEFAULT),
 * so that what still reaches a hook (a function that allocator lacks, such as jemalloc's
 * missing pvalloc) is served by that allocator too, not by glibc behind this library. */
static void* g_where;

/* `name` where the allocator is, if the object defining malloc (`base`) defines it too. */
static void* from_allocator(const char* name, const void* base) {
  void* fn = dlsym(g_where, name);
  Dl_info info;
  if (fn == NULL || dladdr(fn, &info) == 0 || info.dli_fbase != base) return NULL;
  return fn;
}

static void resolve(void) {
  struct leakgate_allocator a;
  memset(&a, 0, sizeof a);
  Dl_info self, info;
  void* process_malloc = dlsym(RTLD_DEFAULT, "malloc");
  const int ahead = dladdr((void*)&resolve, &self) != 0 && process_malloc != NULL &&
                    dladdr(process_malloc, &info) != 0 && info.dli_fbase != self.dli_fbase;
  g_where = ahead ? RTLD_DEFAULT : RTLD_NEXT;
  a.malloc = (void* (*)(size_t))dlsym(g_where, "malloc");
  if (a.malloc == NULL || dladdr((void*)a.malloc, &info) == 0) {
    a.malloc = __libc_malloc;
    a.free = __libc_free;
    a.calloc = __libc_calloc;
    a.realloc = __libc_realloc;
    a.memalign = __libc_memalign;
    a.name = "glibc (no next malloc found)"; /* no usable_size: nothing is counted */
  } else {
    const void* base = info.dli_fbase;
    a.name = info.dli_fname;
    /* free and realloc must be the allocator's own: a process whose free is not is broken
     * already. The next ones are what it called without us. */
    a.free = (void (*)(void*))dlsym(g_where, "free");
    a.realloc = (void* (*)(void*, size_t))dlsym(g_where, "realloc");
    a.calloc = (void* (*)(size_t, size_t))from_allocator("calloc", base);
    a.memalign = (void* (*)(size_t, size_t))from_allocator("memalign", base);
    a.posix_memalign = (int (*)(void**, size_t, size_t))from_allocator("posix_memalign", base);
    a.aligned_alloc = (void* (*)(size_t, size_t))from_allocator("aligned_alloc", base);
    a.valloc = (void* (*)(size_t))from_allocator("valloc", base);
    a.pvalloc = (void* (*)(size_t))from_allocator("pvalloc", base);
    a.usable_size = (size_t(*)(void*))from_allocator("malloc_usable_size", base);
  }
  g_alloc = a;
  atomic_store_explicit(&g_ready, 1, memory_order_release);
}

const struct leakgate_allocator* leakgate_next_allocator_slow(void) {
  if (t_resolving) return NULL; /* dlsym allocating: the caller uses the arena */
  t_resolving = 1;
  pthread_mutex_lock(&g_resolve_mu);
  if (!atomic_load_explicit(&g_ready, memory_order_acquire)) resolve();
  pthread_mutex_unlock(&g_resolve_mu);
  t_resolving = 0;
  return &g_alloc;
}

const struct leakgate_allocator* leakgate_next_allocator(void) {
  if (__builtin_expect(atomic_load_explicit(&g_ready, memory_order_acquire), 1)) return &g_alloc;
  return leakgate_next_allocator_slow();
}

/* The bootstrap arena: a bump allocator, never reused. Each block is preceded by its size. */
#define ARENA_SIZE (128 * 1024)
static alignas(64) unsigned char g_arena[ARENA_SIZE];
static _Atomic size_t g_arena_used;

void* leakgate_bootstrap_alloc(size_t size, size_t alignment) {
  if (alignment < 16) alignment = 16;
  size_t start = atomic_load_explicit(&g_arena_used, memory_order_relaxed);
  for (;;) {
    const size_t offset = (start + sizeof(size_t) + alignment - 1) & ~(alignment - 1);
    if (offset > ARENA_SIZE || size > ARENA_SIZE - offset) return NULL;
    if (atomic_compare_exchange_weak(&g_arena_used, &start, offset + size)) {
      memcpy(g_arena + offset - sizeof(size_t), &size, sizeof size);
      return g_arena + offset; /* zeroed: static storage, never handed out twice */
    }
  }
}

int leakgate_is_bootstrap(const void* ptr) {
  return (const unsigned char*)ptr >= g_arena && (const unsigned char*)ptr < g_arena + ARENA_SIZE;
}

size_t leakgate_bootstrap_size(const void* ptr) {
  size_t size;
  memcpy(&size, (const unsigned char*)ptr - sizeof(size_t), sizeof size);
  return size;
}
