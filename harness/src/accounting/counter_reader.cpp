// CounterFileReader: a read-only view of another process's counter file.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <utility>

#include "counter_file_layout.h"
#include "leakgate/counter_file.h"
#include "leakgate/unique_fd.h"
#include "shared_futex.h"

namespace leakgate {

namespace cf = counter_file;

std::optional<CounterFileReader> CounterFileReader::open(const std::string& path) {
  // Read-write when allowed: refresh_heap() writes its request into the mapping.
  bool writable = true;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) {
    writable = false;
    fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_size < static_cast<off_t>(sizeof(cf::Header))) {
    return std::nullopt;
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* base = ::mmap(nullptr, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
                      fd.get(), 0);
  if (base == MAP_FAILED) return std::nullopt;
  const auto* header = static_cast<const cf::Header*>(base);
  const bool valid = std::memcmp(header->magic, cf::kMagic, sizeof cf::kMagic) == 0 &&
                     header->version == cf::kVersion && header->header_size == sizeof(cf::Header) &&
                     header->entry_size == sizeof(cf::Entry) &&
                     sizeof(cf::Header) + size_t{header->capacity} * sizeof(cf::Entry) <= size;
  if (!valid) {
    ::munmap(base, size);
    return std::nullopt;
  }
  CounterFileReader reader;
  reader.base_ = base;
  reader.size_ = size;
  reader.writable_ = writable;
  return reader;
}

CounterFileReader::~CounterFileReader() {
  if (base_ != nullptr) ::munmap(const_cast<void*>(base_), size_);
}

CounterFileReader::CounterFileReader(CounterFileReader&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      writable_(std::exchange(other.writable_, false)) {}

CounterFileReader& CounterFileReader::operator=(CounterFileReader&& other) noexcept {
  if (this != &other) {
    if (base_ != nullptr) ::munmap(const_cast<void*>(base_), size_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    writable_ = std::exchange(other.writable_, false);
  }
  return *this;
}

bool CounterFileReader::refresh_heap(std::chrono::microseconds timeout) const {
  if (!writable_) {  // cannot ask: one periodic refresh's worth of waiting
    std::this_thread::sleep_for(timeout);
    return false;
  }
  auto& header = *static_cast<cf::Header*>(const_cast<void*>(base_));
  const uint32_t asked = header.heap_refresh_asked.fetch_add(1, std::memory_order_acq_rel) + 1;
  cf::futex_wake_all(header.heap_refresh_asked);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const uint32_t done = header.heap_refresh_done.load(std::memory_order_acquire);
    if (static_cast<int32_t>(done - asked) >= 0) return true;  // wraps after 2^31 requests
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    cf::futex_wait(header.heap_refresh_done, done, left);
  }
}

namespace {
const cf::Header& header_of(const void* base) { return *static_cast<const cf::Header*>(base); }
const cf::Entry& entry_of(const void* base, size_t i) {
  return reinterpret_cast<const cf::Entry*>(static_cast<const char*>(base) + sizeof(cf::Header))[i];
}
}  // namespace

size_t CounterFileReader::kind_count() const {
  if (base_ == nullptr) return 0;
  const cf::Header& header = header_of(base_);
  return static_cast<size_t>(
      std::clamp<int64_t>(header.entry_count.load(std::memory_order_acquire), 0, header.capacity));
}

std::string_view CounterFileReader::kind_name(size_t i) const {
  const cf::Entry& e = entry_of(base_, i);
  return {e.name, strnlen(e.name, cf::kNameSize)};
}

int64_t CounterFileReader::kind_live(size_t i) const {
  const cf::Entry& e = entry_of(base_, i);
  // released before created: every release follows its creation, so live never reads < 0.
  const int64_t released = e.released.load(std::memory_order_acquire);
  return e.created.load(std::memory_order_acquire) - released;
}

std::optional<int64_t> CounterFileReader::heap_bytes() const {
  if (base_ == nullptr) return std::nullopt;
  const cf::Header& header = header_of(base_);
  if (header.heap_present.load(std::memory_order_acquire) == 0) return std::nullopt;
  return header.heap_bytes.load(std::memory_order_relaxed);
}

std::optional<int64_t> CounterFileReader::heap_blocks() const {
  if (base_ == nullptr) return std::nullopt;
  const cf::Header& header = header_of(base_);
  if (header.heap_blocks_present.load(std::memory_order_acquire) == 0) return std::nullopt;
  return header.heap_blocks.load(std::memory_order_relaxed);
}

CounterSnapshot CounterFileReader::read() const {
  CounterSnapshot snap;
  if (base_ == nullptr) return snap;
  const cf::Header& header = header_of(base_);
  const size_t count = kind_count();
  snap.kinds.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const cf::Entry& e = entry_of(base_, i);
    KindSnapshot k;
    k.name = kind_name(i);
    const int64_t released = e.released.load(std::memory_order_acquire);
    k.created = e.created.load(std::memory_order_acquire);
    k.live = k.created - released;
    k.peak = std::max(e.peak.load(std::memory_order_relaxed), k.live);
    snap.kinds.push_back(std::move(k));
  }
  snap.heap = heap_bytes();
  snap.heap_blocks = heap_blocks();
  snap.pid = header.pid.load(std::memory_order_relaxed);
  snap.exited = header.exited.load(std::memory_order_acquire) != 0;
  snap.dump_generation = header.dump_generation.load(std::memory_order_acquire);
  snap.dropped_kinds = header.dropped_kinds.load(std::memory_order_relaxed);
  snap.dump_signal = header.dump_signal.load(std::memory_order_acquire) != 0;
  return snap;
}

}  // namespace leakgate
