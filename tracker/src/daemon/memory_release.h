// Hands freed heap memory back to the OS after a burst, with whichever allocator the daemon
// runs on: tcmalloc's MallocExtension (found by dlsym, so it works whether tcmalloc is linked,
// LD_PRELOADed or absent), else glibc's malloc_trim. Without it the allocator keeps the pages
// of every transient peak, and RSS only ever goes up.
#pragma once

#include <cstddef>

namespace tracker {

inline constexpr size_t kReleaseThresholdBytes = size_t{4} << 20;

// Releases free heap pages when the allocator holds at least `threshold` bytes free (so a
// call after a quiet interval costs one property read). Never throws.
void release_free_memory(size_t threshold = kReleaseThresholdBytes) noexcept;

}  // namespace tracker
