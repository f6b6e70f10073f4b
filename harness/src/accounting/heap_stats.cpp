// Found at run time through dlsym so the same library works whether tcmalloc is linked,
// LD_PRELOADed or absent (ASan builds), without a link dependency on gperftools.
#include "leakgate/heap_stats.h"

#include <dlfcn.h>

#include <atomic>
#include <cstddef>

namespace leakgate {

namespace {
using GetNumericProperty = int (*)(const char*, size_t*);

GetNumericProperty resolve() {
  static const auto fn = reinterpret_cast<GetNumericProperty>(
      dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
  return fn;
}

std::atomic<HeapSource> g_source{nullptr};
}  // namespace

void set_heap_source(HeapSource source) { g_source.store(source); }

std::optional<int64_t> tcmalloc_property(const char* name) {
  const GetNumericProperty fn = resolve();
  size_t value = 0;
  if (fn == nullptr || fn(name, &value) == 0) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<int64_t> current_heap_bytes() {
  if (auto bytes = tcmalloc_property("generic.current_allocated_bytes")) return bytes;
  if (const HeapSource source = g_source.load()) return source().bytes;
  return std::nullopt;
}

std::optional<int64_t> current_heap_blocks() {
  if (const HeapSource source = g_source.load()) return source().blocks;
  return std::nullopt;
}

}  // namespace leakgate
