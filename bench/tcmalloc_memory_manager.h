// Google Benchmark memory figures from tcmalloc: allocations, bytes allocated, peak and net
// heap growth per benchmark (benchmark 1.7.1 runs each benchmark once more, for up to 16
// iterations, between Start() and Stop()). The JSON output then carries allocs_per_iter and
// max_bytes_used (plus total_allocated_bytes and net_heap_growth).
//
// tcmalloc is found at run time (dlsym), so a bench without it still runs: its figures are
// then zeros and tombstones. The benches link it (bench/CMakeLists.txt).
#pragma once

#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace leakgate::bench {

class TcmallocMemoryManager : public benchmark::MemoryManager {
 public:
  TcmallocMemoryManager() {
    // gperftools' C API (malloc_extension_c.h, malloc_hook_c.h).
    property_ =
        reinterpret_cast<PropertyFn>(dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
    allocated_size_ =
        reinterpret_cast<SizeFn>(dlsym(RTLD_DEFAULT, "MallocExtension_GetAllocatedSize"));
    add_new_ = reinterpret_cast<AddNewFn>(dlsym(RTLD_DEFAULT, "MallocHook_AddNewHook"));
    remove_new_ = reinterpret_cast<AddNewFn>(dlsym(RTLD_DEFAULT, "MallocHook_RemoveNewHook"));
    add_delete_ = reinterpret_cast<AddDeleteFn>(dlsym(RTLD_DEFAULT, "MallocHook_AddDeleteHook"));
    remove_delete_ =
        reinterpret_cast<AddDeleteFn>(dlsym(RTLD_DEFAULT, "MallocHook_RemoveDeleteHook"));
  }

  bool available() const { return property_ != nullptr; }

  void Start() override {
    counts().reset();
    start_bytes_ = current_bytes();
    // The hooks run on every allocating thread: relaxed atomics, no allocation, no locks.
    if (hooks_available()) {
      add_new_(&on_new);
      add_delete_(&on_delete);
      size_of_ = allocated_size_;
    }
  }

  void Stop(Result& result) override {
    if (hooks_available()) {
      remove_new_(&on_new);
      remove_delete_(&on_delete);
      result.num_allocs = counts().allocs.load(std::memory_order_relaxed);
      result.total_allocated_bytes = counts().allocated.load(std::memory_order_relaxed);
      result.max_bytes_used = counts().peak.load(std::memory_order_relaxed);
    }
    const int64_t end_bytes = current_bytes();
    if (available()) result.net_heap_growth = end_bytes - start_bytes_;
  }

  // Benchmark 1.7.1 still declares the pointer form pure virtual.
  void Stop(Result* result) override { Stop(*result); }

 private:
  using PropertyFn = int (*)(const char*, size_t*);
  using SizeFn = size_t (*)(const void*);
  using NewHook = void (*)(const void*, size_t);
  using DeleteHook = void (*)(const void*);
  using AddNewFn = int (*)(NewHook);
  using AddDeleteFn = int (*)(DeleteHook);

  struct Counts {
    std::atomic<int64_t> allocs{0};
    std::atomic<int64_t> allocated{0};
    std::atomic<int64_t> live{0};  // bytes allocated minus freed since Start()
    std::atomic<int64_t> peak{0};  // the highest `live`: what the benchmark added at most
    void reset() { allocs = allocated = live = peak = 0; }
  };
  static Counts& counts() {
    static Counts instance;
    return instance;
  }
  static inline SizeFn size_of_ = nullptr;

  static void on_new(const void* pointer, size_t size) {
    if (pointer == nullptr) return;
    Counts& c = counts();
    c.allocs.fetch_add(1, std::memory_order_relaxed);
    c.allocated.fetch_add(static_cast<int64_t>(size), std::memory_order_relaxed);
    const int64_t live = c.live.fetch_add(static_cast<int64_t>(size)) + static_cast<int64_t>(size);
    int64_t peak = c.peak.load(std::memory_order_relaxed);
    while (live > peak && !c.peak.compare_exchange_weak(peak, live)) {
    }
  }
  static void on_delete(const void* pointer) {
    if (pointer == nullptr || size_of_ == nullptr) return;
    counts().live.fetch_sub(static_cast<int64_t>(size_of_(pointer)), std::memory_order_relaxed);
  }

  bool hooks_available() const {
    return add_new_ && remove_new_ && add_delete_ && remove_delete_ && allocated_size_;
  }

  int64_t current_bytes() const {
    size_t value = 0;
    if (property_ == nullptr || !property_("generic.current_allocated_bytes", &value)) return 0;
    return static_cast<int64_t>(value);
  }

  PropertyFn property_ = nullptr;
  SizeFn allocated_size_ = nullptr;
  AddNewFn add_new_ = nullptr;
  AddNewFn remove_new_ = nullptr;
  AddDeleteFn add_delete_ = nullptr;
  AddDeleteFn remove_delete_ = nullptr;
  int64_t start_bytes_ = 0;
};

// BENCHMARK_MAIN() with the memory manager registered.
inline int run_benchmarks_with_memory_figures(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  TcmallocMemoryManager memory;
  benchmark::RegisterMemoryManager(&memory);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::RegisterMemoryManager(nullptr);
  benchmark::Shutdown();
  return 0;
}

}  // namespace leakgate::bench
