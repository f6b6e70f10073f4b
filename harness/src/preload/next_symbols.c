/* The next definitions of the interposed functions, found with dlsym(RTLD_NEXT). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

#include "preload_api.h"

static const char* const kNames[LG_NEXT_COUNT] = {
    "open",         "open64",        "openat",         "openat64",     "__open_2",
    "__open64_2",   "__openat_2",    "__openat64_2",   "creat",        "creat64",
    "socket",       "socketpair",    "accept",         "accept4",      "pipe",
    "pipe2",        "dup",           "dup2",           "dup3",         "eventfd",
    "epoll_create", "epoll_create1", "timerfd_create", "memfd_create", "close",
    "close_range"};

/* Zero-initialized and trivially destructible: valid before constructors and after exit. */
static _Atomic(void*) g_next[LG_NEXT_COUNT];
static __thread _Bool t_looking_up __attribute__((tls_model("initial-exec")));

void* leakgate_next(enum leakgate_next which) {
  void* found = atomic_load_explicit(&g_next[which], memory_order_acquire);
  if (found != NULL || t_looking_up) return found;
  t_looking_up = 1;
  found = dlsym(RTLD_NEXT, kNames[which]);
  t_looking_up = 0;
  if (found != NULL) atomic_store_explicit(&g_next[which], found, memory_order_release);
  return found;
}

void leakgate_resolve_all_next(void) {
  for (int i = 0; i < LG_NEXT_COUNT; ++i) leakgate_next((enum leakgate_next)i);
}
