// Open records in a per-fd table of registry ids; closes detach the id and queue its
// release in a lock-free ring that a drainer thread empties. Closing must stay
// async-signal-safe (close() from a handler is common), and ResourceKind::on_release takes a
// mutex and frees memory, so it only ever runs on the drainer thread.
#include "fd_records.h"

#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "fork_guard.h"
#include "heap_api.h"
#include "leakgate/registry.h"
#include "preload_api.h"
#include "quiet_thread.h"

namespace leakgate::preload {
namespace {

constexpr uint64_t kTracked = uint64_t{1} << 63;  // ids are 0 when stacks are off
constexpr size_t kMaxSlots = size_t{1} << 20;
constexpr size_t kRingSize = 4096;

// All zero-initialized and trivially destructible: hooks may run before our constructor,
// after exit() began, and on threads the drainer never heard of.
std::atomic<bool> g_enabled{false};
std::atomic<uint64_t>* g_slots = nullptr;  // fd -> id | kTracked, 0 = not recorded
size_t g_slot_count = 0;
std::atomic<size_t> g_highest_fd{0};  // bounds close_range's walk
ResourceKind* g_kind = nullptr;
uintptr_t g_self_begin = 0;
uintptr_t g_self_end = 0;

// Multi-producer (any thread, any signal handler), single consumer (the drainer thread).
std::atomic<uint64_t> g_ring[kRingSize];
std::atomic<uint64_t> g_ring_tail{0};  // next index to reserve
std::atomic<uint64_t> g_ring_head{0};  // next index to drain
std::atomic<uint32_t> g_wake{0};       // futex word: bumped when the ring fills up

__attribute__((tls_model("initial-exec"))) thread_local bool t_in_hook = false;

long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, timeout, nullptr, 0);
}

// Async-signal-safe. A full ring (the drainer stalled for 4096 closes) loses the release:
// the live count then stays one too high, which is the safe direction for a leak test.
void queue_release(uint64_t token) {
  uint64_t tail = g_ring_tail.load();
  do {
    if (tail - g_ring_head.load() >= kRingSize) return;
  } while (!g_ring_tail.compare_exchange_weak(tail, tail + 1));
  g_ring[tail % kRingSize].store(token);
  // The drainer polls every 2 ms: waking it per close would cost a syscall and a context
  // switch per call. Only a filling ring is worth one.
  if (tail - g_ring_head.load() == kRingSize / 2) {
    g_wake.fetch_add(1);
    futex(&g_wake, FUTEX_WAKE_PRIVATE, 1, nullptr);
  }
}

void drain() {
  uint64_t head = g_ring_head.load();
  // A reserved but unwritten entry (its producer was interrupted) stops the drain until later.
  while (head < g_ring_tail.load()) {
    const uint64_t token = g_ring[head % kRingSize].exchange(0);
    if (token == 0) break;
    g_ring_head.store(++head);
    g_kind->on_release(token & ~kTracked);
  }
}

// Releases lag closes by at most ~2 ms: well inside the harness's sampling period and its
// settle window.
void* drainer_main(void*) {
  leakgate_heap_internal(1);  // the records it frees were made uncounted too (fd_opened)
  const timespec period{0, 2'000'000};
  for (;;) {
    const uint32_t seen = g_wake.load();
    {
      const ForkGuardLock guard;  // on_release takes the registry's lock
      drain();
    }
    futex(&g_wake, FUTEX_WAIT_PRIVATE, seen, &period);
  }
  return nullptr;
}

bool start_drainer() { return start_quiet_thread(drainer_main, nullptr, "leakgate-fds"); }

size_t slot_count() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_max == RLIM_INFINITY) return kMaxSlots;
  return limit.rlim_max < kMaxSlots ? static_cast<size_t>(limit.rlim_max) : kMaxSlots;
}

void release_slot(unsigned fd) {
  // Load first: an exchange would dirty every page of the table that close_range walks.
  if (fd >= g_slot_count || g_slots[fd].load(std::memory_order_relaxed) == 0) return;
  if (const uint64_t token = g_slots[fd].exchange(0)) queue_release(token);
}

}  // namespace

bool start_fd_records(uintptr_t self_begin, uintptr_t self_end) {
  g_self_begin = self_begin;
  g_self_end = self_end;
  g_kind = &kind("fds");
  const size_t count = slot_count();
  // Virtual only: pages are touched as fd numbers are used (8 bytes per fd).
  void* table = mmap(nullptr, count * sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (table == MAP_FAILED) return false;
  g_slots = static_cast<std::atomic<uint64_t>*>(table);
  g_slot_count = count;
  if (!start_drainer()) return false;
  g_enabled.store(true);
  return true;
}

void stop_fd_records() { g_enabled.store(false); }

// The table, the ring and the records are the child's own copies (MAP_PRIVATE, the registry
// copied by fork): the inherited fds keep their creation sites. Only the drainer is missing.
bool restart_fd_records_in_child() {
  if (!g_enabled.load()) return false;
  if (start_drainer()) return true;
  g_enabled.store(false);
  return false;
}

}  // namespace leakgate::preload

using namespace leakgate::preload;

extern "C" void leakgate_fd_opened(int fd, const void* caller) {
  if (fd < 0 || !g_enabled.load(std::memory_order_relaxed) || t_in_hook) return;
  const auto from = reinterpret_cast<uintptr_t>(caller);
  if (from >= g_self_begin && from < g_self_end) return;
  if (static_cast<size_t>(fd) >= g_slot_count) return;
  const int saved_errno = errno;
  t_in_hook = true;  // the unwinder, the allocator and dlsym may open fds of their own
  const int was_internal = leakgate_heap_internal(1);  // the record is ours, not the daemon's
  const uint64_t id = g_kind->on_create();
  leakgate_heap_internal(was_internal);
  // A record still here means the fd was closed behind our back (fclose, a raw syscall).
  if (const uint64_t stale = g_slots[fd].exchange(id | kTracked)) queue_release(stale);
  size_t highest = g_highest_fd.load(std::memory_order_relaxed);
  while (static_cast<size_t>(fd) > highest && !g_highest_fd.compare_exchange_weak(highest, fd)) {
  }
  t_in_hook = false;
  errno = saved_errno;
}

extern "C" void leakgate_fd_closing(int fd) {
  if (fd < 0 || !g_enabled.load(std::memory_order_relaxed)) return;
  const int saved_errno = errno;
  release_slot(static_cast<unsigned>(fd));
  errno = saved_errno;
}

extern "C" void leakgate_fd_range_closing(unsigned first, unsigned last) {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  const int saved_errno = errno;
  const size_t end = g_highest_fd.load();
  for (size_t fd = first; fd <= last && fd <= end; ++fd) {
    release_slot(static_cast<unsigned>(fd));
  }
  errno = saved_errno;
}
