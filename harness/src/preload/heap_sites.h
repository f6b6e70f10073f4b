// The daemon's heap through the malloc hooks (heap_hooks.c): the counter file's heap figure
// and, in live-object dumps, "heap_sites": [{"bytes", "count", "frames"}], the live sampled
// allocations grouped by stack, largest first, with estimated bytes and blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace leakgate::preload {

// Mean bytes between two sampled allocations (exponential intervals); 0 turns sampling off.
inline constexpr const char* kHeapSampleEnv = "LEAKGATE_HEAP_SAMPLE";
inline constexpr uint64_t kDefaultHeapSampleBytes = 8192;
inline constexpr size_t kMaxHeapSites = 100;

// Starts sampling and installs the heap source. Frames in [self_begin, self_end) are this
// library's. Only when the hooks interpose (leakgate_heap_hooks_interpose).
void start_heap_accounting(uintptr_t self_begin, uintptr_t self_end);

// The dump's "heap_sites" section: JSON text.
std::string render_heap_sites();

}  // namespace leakgate::preload
