/* own_malloc: an executable with its own allocator linked in (a bump allocator over a static
 * arena), standing for a statically linked jemalloc or tcmalloc: its malloc family is found
 * before the preload library's, whose hooks then never run. preload_daemons_test checks that
 * the preload library says so and publishes no heap figure instead of crashing or counting
 * another allocator's blocks. One line on stdin: 1 MiB allocated, "ok" answered; at the end of
 * stdin it waits for its stop signal. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Alignas(64) char g_arena[256 << 20];
static _Atomic size_t g_used;

static void* take(size_t size, size_t alignment) {
  if (alignment < 16) alignment = 16;
  size_t start = atomic_load(&g_used);
  for (;;) {
    const size_t offset = (start + 16 + alignment - 1) & ~(alignment - 1);
    if (offset + size > sizeof g_arena) return NULL;
    if (atomic_compare_exchange_weak(&g_used, &start, offset + size)) {
      memcpy(g_arena + offset - sizeof size, &size, sizeof size);
      return g_arena + offset;
    }
  }
}

size_t malloc_usable_size(void* ptr) {
  size_t size = 0;
  if (ptr != NULL) memcpy(&size, (char*)ptr - sizeof size, sizeof size);
  return size;
}
void* malloc(size_t size) { return take(size, 16); }
void free(void* ptr) { (void)ptr; }
void* calloc(size_t count, size_t size) { return take(count * size, 16); }
void* realloc(void* ptr, size_t size) {
  void* moved = take(size, 16);
  const size_t old = malloc_usable_size(ptr);
  if (ptr != NULL && moved != NULL) memcpy(moved, ptr, old < size ? old : size);
  return moved;
}
void* memalign(size_t alignment, size_t size) { return take(size, alignment); }
void* aligned_alloc(size_t alignment, size_t size) { return take(size, alignment); }
int posix_memalign(void** out, size_t alignment, size_t size) {
  *out = take(size, alignment);
  return *out ? 0 : ENOMEM;
}
void* valloc(size_t size) { return take(size, 4096); }
void* pvalloc(size_t size) { return take((size + 4095) & ~(size_t)4095, 4096); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("{\"event\":\"ready\"}\n"); /* a leakgate readiness line */
  char line[64];
  while (fgets(line, sizeof line, stdin) != NULL) {
    memset(malloc(1 << 20), 1, 1 << 20);
    printf("ok\n");
  }
  pause(); /* stdin closed (a leakgate daemon): run until stopped */
  return 0;
}
