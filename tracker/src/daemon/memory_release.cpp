#include "memory_release.h"

#include <dlfcn.h>
#include <malloc.h>

namespace tracker {
namespace {

using GetNumericProperty = int (*)(const char*, size_t*);
using ReleaseFreeMemory = void (*)();

struct Tcmalloc {
  GetNumericProperty property = nullptr;
  ReleaseFreeMemory release = nullptr;
};

// gperftools' C entry points (malloc_extension_c.h): present whenever tcmalloc is loaded.
const Tcmalloc& tcmalloc() {
  static const Tcmalloc found{reinterpret_cast<GetNumericProperty>(
                                  dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty")),
                              reinterpret_cast<ReleaseFreeMemory>(
                                  dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"))};
  return found;
}

}  // namespace

void release_free_memory(size_t threshold) noexcept {
  const Tcmalloc& tc = tcmalloc();
  if (tc.property != nullptr && tc.release != nullptr) {
    size_t free_bytes = 0;  // free spans still mapped (unmapped ones are already released)
    if (tc.property("tcmalloc.pageheap_free_bytes", &free_bytes) == 0 || free_bytes >= threshold) {
      tc.release();
    }
    return;
  }
#if defined(__GLIBC__)
  // fordblks: bytes in free chunks of every arena; trimming returns whole free pages.
  if (mallinfo2().fordblks >= threshold) malloc_trim(0);
#endif
}

}  // namespace tracker
