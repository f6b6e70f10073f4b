// A counter file: the registry's counters published through a shared mapping, so the
// harness reads another process's counters without talking to it (like hsperfdata).
// The file outlives the process: at-exit values stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/registry.h"

namespace leakgate {

// Environment variable naming the counter file a process should publish into.
inline constexpr const char* kCountersEnv = "LEAKGATE_COUNTERS";

struct CounterSnapshot {
  std::vector<KindSnapshot> kinds;  // every published kind
  std::optional<int64_t> heap;      // tcmalloc current allocated bytes, else the preload's figure
  std::optional<int64_t> heap_blocks;  // live heap blocks (preload only); not a judged metric
  int64_t pid = 0;                     // publisher's pid
  bool exited = false;                 // the publisher ran its exit hook
  uint64_t dump_generation = 0;        // bumps when a live-object dump was written (see below)
  int64_t dropped_kinds = 0;           // kinds that did not fit in the file (capacity 256)
  bool dump_signal = false;            // SIGUSR2 asks for a dump (start_from_environment)

  const KindSnapshot* find(std::string_view name) const {
    for (const auto& k : kinds) {
      if (k.name == name) return &k;
    }
    return nullptr;
  }
};

// Publishes Registry::global() into `path` (mode 0600; written beside it and renamed into
// place, so readers of a previous file keep a valid mapping). Kinds created later are added
// as they appear. While alive, a background thread refreshes the heap figure every
// `heap_interval_ms` and serves live-object dump requests (see request_dump()).
// One publisher at a time: the constructor throws std::logic_error if another is active,
// std::runtime_error (with path and errno text) if the file cannot be created.
class CounterPublisher {
 public:
  explicit CounterPublisher(const std::string& path, int heap_interval_ms = 2);
  // Final heap refresh, marks exited, unmaps (file stays). Counted objects should not be
  // created/released concurrently with the destructor (their file mirror is detached).
  ~CounterPublisher();
  CounterPublisher(const CounterPublisher&) = delete;
  CounterPublisher& operator=(const CounterPublisher&) = delete;

  // Starts publishing when LEAKGATE_COUNTERS is set; a no-op otherwise. Idempotent.
  // Also installs a SIGUSR2 handler that only sets a flag: the publisher thread then writes
  // Registry::global().live_objects_json() to "<path>.live.json" and bumps dump_generation.
  // This publisher lives until exit; an atexit hook marks the file exited.
  // Throws std::runtime_error when the file cannot be created. dump_on_signal false: no
  // SIGUSR2 handler (the preload library serves dumps on its own channel, dump_channel.h).
  static void start_from_environment(bool dump_on_signal = true);

  // Asks the publisher thread to write "<path>.live.json" (as SIGUSR2 does); returns at once.
  void request_dump();
  const std::string& path() const;

 private:
  struct Impl;
  Impl* impl_;
};

// An extra top-level member of every live-object dump this process writes: `render` returns
// its JSON text (e.g. the preload library's "heap_sites"). Set once, before publishing.
void set_live_dump_section(const char* key, std::string (*render)());

// Maps a counter file read-only. Reading a snapshot costs well under a microsecond.
class CounterFileReader {
 public:
  // Returns nullopt if the file does not exist yet or is not a valid counter file.
  static std::optional<CounterFileReader> open(const std::string& path);
  ~CounterFileReader();
  CounterFileReader(CounterFileReader&& other) noexcept;
  CounterFileReader& operator=(CounterFileReader&& other) noexcept;
  CounterFileReader(const CounterFileReader&) = delete;
  CounterFileReader& operator=(const CounterFileReader&) = delete;

  CounterSnapshot read() const;

  // Piecewise and allocation-free, for the sampler's per-tick read. Kinds are only ever
  // appended, so index i names the same kind for the file's lifetime.
  size_t kind_count() const;
  std::string_view kind_name(size_t i) const;  // a view into the mapping
  int64_t kind_live(size_t i) const;
  std::optional<int64_t> heap_bytes() const;
  std::optional<int64_t> heap_blocks() const;

  // Asks the publisher for a heap figure taken after this call and waits for it, at most
  // `timeout`. False when it did not come in time: a publisher that predates the request
  // (its figure is then at most one periodic interval old), or a file this process may
  // only read.
  bool refresh_heap(std::chrono::microseconds timeout) const;

 private:
  CounterFileReader() = default;
  const void* base_ = nullptr;
  size_t size_ = 0;
  bool writable_ = false;  // the request word is written into the mapping
};

}  // namespace leakgate
