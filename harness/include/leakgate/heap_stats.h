// The heap figure: tcmalloc's generic.current_allocated_bytes when the process runs on
// tcmalloc (linked or LD_PRELOADed, found with dlsym); absent otherwise, never zero.
#pragma once

#include <cstdint>
#include <optional>

namespace leakgate {

std::optional<int64_t> current_heap_bytes();

// Any tcmalloc numeric property (e.g. "generic.heap_size"); nullopt without tcmalloc or
// when the property is unknown.
std::optional<int64_t> tcmalloc_property(const char* name);

}  // namespace leakgate
