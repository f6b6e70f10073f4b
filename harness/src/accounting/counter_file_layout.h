// The counter file's binary layout (version 1). Writers: the publisher and ResourceKind's
// hot path; readers: CounterFileReader in other processes. All counters are 8-byte
// lock-free atomics, so they can be shared across processes through a MAP_SHARED mapping.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace leakgate::counter_file {

inline constexpr char kMagic[8] = {'L', 'G', 'C', 'O', 'U', 'N', 'T', 'R'};
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kCapacity = 256;
inline constexpr size_t kNameSize = 64;

struct Header {
  char magic[8];  // written last (before the file is renamed into place)
  uint32_t version;
  uint32_t capacity;
  uint32_t header_size;
  uint32_t entry_size;
  std::atomic<int64_t> entry_count;  // entries [0, count) are valid (release-published)
  std::atomic<int64_t> pid;
  std::atomic<int64_t> exited;
  std::atomic<int64_t> heap_bytes;
  std::atomic<int64_t> heap_present;
  std::atomic<uint64_t> dump_generation;
  std::atomic<int64_t> dropped_kinds;  // kinds that did not fit in capacity
  std::atomic<int64_t> dump_signal;    // SIGUSR2 requests a dump (else it would kill)
  // Live heap blocks (the preload's malloc hooks). Not a metric: no budget judges it.
  std::atomic<int64_t> heap_blocks;
  std::atomic<int64_t> heap_blocks_present;
  // A fresh heap figure on request, instead of up to one interval late: the reader bumps
  // `asked` and wakes the publisher, which refreshes and stores the `asked` it saw in `done`
  // (both futex words: shared_futex.h). A publisher that predates them leaves `done` at zero,
  // and the reader's wait ends at its timeout, one periodic refresh.
  std::atomic<uint32_t> heap_refresh_asked;
  std::atomic<uint32_t> heap_refresh_done;
  char reserved[32];
};

// live is derived as created - released: both are monotonic, so each can be mirrored
// with a max-store from any thread in any order and still end exact.
struct Entry {
  char name[kNameSize];  // NUL-terminated (truncated if longer)
  std::atomic<int64_t> created;
  std::atomic<int64_t> released;
  std::atomic<int64_t> peak;
  std::atomic<int64_t> reserved;
};

// Index of each counter relative to Entry::created (ResourceKind::shared_slot_ points there).
inline constexpr int kSlotCreated = 0;
inline constexpr int kSlotReleased = 1;
inline constexpr int kSlotPeak = 2;

static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<int64_t>) == sizeof(int64_t));
static_assert(offsetof(Entry, released) - offsetof(Entry, created) == 8);
static_assert(offsetof(Entry, peak) - offsetof(Entry, created) == 16);
static_assert(sizeof(Header) % 8 == 0 && sizeof(Entry) % 8 == 0);

inline constexpr size_t kFileSize = sizeof(Header) + kCapacity * sizeof(Entry);

inline std::atomic<int64_t>* slot_counters(int64_t* slot) {
  return reinterpret_cast<std::atomic<int64_t>*>(slot);
}

inline void store_max(std::atomic<int64_t>& target, int64_t value) {
  int64_t current = target.load(std::memory_order_relaxed);
  while (current < value && !target.compare_exchange_weak(current, value)) {
  }
}

}  // namespace leakgate::counter_file
