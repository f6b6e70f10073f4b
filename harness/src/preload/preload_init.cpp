// libleakgate_preload.so, LD_PRELOADed by the harness into a daemon that does not link the
// accounting library (scenario `daemon.preload: true`): it publishes the counter file named
// by LEAKGATE_COUNTERS with the heap figure (the malloc hooks', heap_hooks.c, or tcmalloc's)
// and records a creation stack for every fd the daemon opens (fd_hooks.c, fd_records.cpp)
// and for sampled allocations (heap_sites.cpp).
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "fd_records.h"
#include "heap_api.h"
#include "heap_sites.h"
#include "leakgate/counter_file.h"
#include "leakgate/registry.h"
#include "preload_api.h"

namespace leakgate::preload {
namespace {

struct Range {
  uintptr_t address = 0;  // in: an address inside the object
  uintptr_t begin = 0;    // out: its executable segments
  uintptr_t end = 0;
};

// The executable segments of the object that contains this function: this library.
Range own_code() {
  Range range;
  range.address = reinterpret_cast<uintptr_t>(&own_code);
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* r = static_cast<Range*>(data);
        uintptr_t begin = UINTPTR_MAX, end = 0;
        bool contains = false;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& segment = info->dlpi_phdr[i];
          if (segment.p_type != PT_LOAD || (segment.p_flags & PF_X) == 0) continue;
          const uintptr_t start = info->dlpi_addr + segment.p_vaddr;
          begin = std::min(begin, start);
          end = std::max(end, start + segment.p_memsz);
          contains = contains || (r->address >= start && r->address < start + segment.p_memsz);
        }
        if (!contains) return 0;
        r->begin = begin;
        r->end = end;
        return 1;
      },
      &range);
  return range;
}

// Whoever inherits the environment loads this library again: the daemon's helpers (their
// own processes) must stay out of the way, but the daemon itself may exec — a wrapper script
// such as pyenv's python3 shim execs the interpreter in the same process — and its new image
// must take the counter file over, or the figures would freeze at the script's. The first
// image records its pid; a later load publishes only in that same process.
bool is_the_daemon() {
  constexpr const char* kOwnerEnv = "LEAKGATE_PRELOAD_PID";
  const std::string self = std::to_string(getpid());
  const char* owner = std::getenv(kOwnerEnv);
  if (owner == nullptr || *owner == '\0') {
    setenv(kOwnerEnv, self.c_str(), 1);
    return true;
  }
  return self == owner;
}

__attribute__((constructor)) void start_preload() {
  leakgate_resolve_all_next();
  const char* counters = std::getenv(kCountersEnv);
  if (counters == nullptr || *counters == '\0' || !is_the_daemon()) {  // not ours to watch
    leakgate_heap_stop();
    return;
  }
  const Range code = own_code();
  try {
    kind("fds");  // published from the first sample on, even before the first open
    start_heap_accounting(code.begin, code.end);  // before the file: its first figure counts
    CounterPublisher::start_from_environment();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "libleakgate_preload: %s\n", error.what());
    leakgate_heap_stop();
    return;
  }
  if (!start_fd_records(code.begin, code.end)) {
    std::fprintf(stderr, "libleakgate_preload: cannot record fds\n");
  }
  pthread_atfork(nullptr, nullptr, [] {
    stop_fd_records();
    leakgate_heap_stop();  // the counter file and the sample table are the parent's
  });
}

}  // namespace
}  // namespace leakgate::preload
