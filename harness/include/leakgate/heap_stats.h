// The heap figure: tcmalloc's generic.current_allocated_bytes when the process runs on
// tcmalloc (linked or LD_PRELOADed, found with dlsym); else the installed heap source (the
// preload library's malloc hooks); absent otherwise, never zero.
#pragma once

#include <cstdint>
#include <optional>

namespace leakgate {

std::optional<int64_t> current_heap_bytes();

// Live blocks: only an installed heap source knows them.
std::optional<int64_t> current_heap_blocks();

struct HeapFigures {
  int64_t bytes = 0;
  int64_t blocks = 0;
};
using HeapSource = HeapFigures (*)();

// Installs a heap source for processes without tcmalloc (nullptr removes it). tcmalloc's
// figure wins when both exist: it also sees operator new, which does not go through malloc
// there. Async-signal-safe to read; set it once, before publishing starts.
void set_heap_source(HeapSource source);

// Any tcmalloc numeric property (e.g. "generic.heap_size"); nullopt without tcmalloc or
// when the property is unknown.
std::optional<int64_t> tcmalloc_property(const char* name);

}  // namespace leakgate
