// libleakgate_preload.so, LD_PRELOADed by the harness into a daemon that does not link the
// accounting library (scenario `daemon.preload: true`): it publishes the counter file named
// by LEAKGATE_COUNTERS with the heap figure (the malloc hooks', heap_hooks.c, or tcmalloc's),
// records a creation stack for every fd the daemon opens (fd_hooks.c, fd_records.cpp) and for
// sampled allocations (heap_sites.cpp), and writes live-object dumps when the harness asks on
// its dump channel (dump_channel.cpp; no signal). A forked worker starts again as its own
// process (restart_in_worker below).
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

#include "dump_channel.h"
#include "dump_channel_layout.h"
#include "fd_records.h"
#include "fork_guard.h"
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

// The process's malloc is not ours (an executable with its own allocator linked in, or an
// earlier preload such as libtcmalloc): the hooks never run, the heap figure is not ours to
// give. Said once on stderr; the harness warns before the start (daemon_preload.cpp).
void say_heap_not_interposed() {
  if (!LG_HEAP_HOOKS) return;  // under ASan there are no hooks by design
  // tcmalloc ahead of us (a heap-profiled run) publishes its own figure (heap_stats.cpp).
  if (dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty") != nullptr) return;
  Dl_info info{};
  void* found = dlsym(RTLD_DEFAULT, "malloc");
  const char* where = found != nullptr && dladdr(found, &info) != 0 && info.dli_fname != nullptr &&
                              *info.dli_fname != '\0'
                          ? info.dli_fname
                          : "the executable";
  std::fprintf(stderr,
               "libleakgate_preload: malloc is defined by %s ahead of this library: its "
               "heap is not counted (no heap figure)\n",
               where);
}

// The daemon's counter file, kept from the start: a daemon may clear its environment before it
// forks its workers (nginx keeps only TZ).
const std::string* g_counters = nullptr;

// fork() keeps every thread out of the registry and the sample table while it copies them:
// this library's own (fork_guard.h) and the daemon's (a thread inside on_create holds the
// registry's locks), so the child's copies are consistent and unlocked. The order is the one
// the hooks take them in: the registry, then (an allocation under its lock) the sample table.
void prepare_fork() {
  pthread_mutex_lock(&fork_guard());
  Registry::global().lock_for_fork();
  leakgate_heap_table_lock_for_fork();
}

void release_after_fork() {
  leakgate_heap_table_unlock_after_fork();
  Registry::global().unlock_after_fork();
  pthread_mutex_unlock(&fork_guard());
}

void after_fork_in_parent() { release_after_fork(); }

// fork()'s child handler: a worker that does not exec is watched as its own process. Its
// copies of the fd records (inherited fds keep their true creation sites), of the heap
// counters and of the sample table (all private memory) continue; what is shared with the
// parent (the counter file and the dump channel, MAP_SHARED) is replaced by files of its own
// named by its pid (dump_channel_layout.h), with threads of its own. Counted objects were
// detached from the parent's file by the counter publisher's child handler, which runs first.
// A child that execs is not watched (is_the_daemon) and removes these files.
void restart_in_worker() {
  release_after_fork();
  if (g_counters == nullptr) return;
  const int was_internal = leakgate_heap_internal(1);
  const std::string own = dump_channel::worker_counters_path(*g_counters, getpid());
  const bool heap = leakgate_heap_hooks_interpose();
  try {
    new CounterPublisher(own);  // lives until exit, as the parent's does
  } catch (const std::exception& error) {
    std::fprintf(stderr, "libleakgate_preload: worker %d: %s\n", getpid(), error.what());
    stop_fd_records();
    leakgate_heap_stop();
    leakgate_heap_internal(was_internal);
    return;
  }
  if (!start_dump_channel(own, "heap_sites", heap ? &render_heap_sites : nullptr,
                          /*in_area=*/true)) {
    std::fprintf(stderr, "libleakgate_preload: worker %d cannot serve live-object dumps\n",
                 getpid());
  }
  restart_fd_records_in_child();
  leakgate_heap_internal(was_internal);
}

// A process of the daemon's tree that exec'd another program: the files its forked image made
// (restart_in_worker) are served by nobody now.
void remove_worker_files(const char* counters) {
  const std::string own = dump_channel::worker_counters_path(counters, getpid());
  ::unlink(dump_channel::path_for(own).c_str());
  ::unlink(dump_channel::dump_area_path(own).c_str());
  ::unlink(own.c_str());
}

void start_preload_as(const char* counters) {
  const Range code = own_code();
  const bool heap = leakgate_heap_hooks_interpose();
  if (!heap) {
    leakgate_heap_stop();
    say_heap_not_interposed();
  }
  try {
    kind("fds");  // published from the first sample on, even before the first open
    if (heap) start_heap_accounting(code.begin, code.end);  // before the file: its first figure
    CounterPublisher::start_from_environment(/*dump_on_signal=*/false);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "libleakgate_preload: %s\n", error.what());
    leakgate_heap_stop();
    return;
  }
  if (!start_dump_channel(counters, "heap_sites", heap ? &render_heap_sites : nullptr)) {
    std::fprintf(stderr, "libleakgate_preload: cannot serve live-object dumps\n");
  }
  if (!start_fd_records(code.begin, code.end)) {
    std::fprintf(stderr, "libleakgate_preload: cannot record fds\n");
  }
  g_counters = new std::string(counters);  // lives until exit
  pthread_atfork(prepare_fork, after_fork_in_parent, restart_in_worker);
}

__attribute__((constructor)) void start_preload() {
  leakgate_resolve_all_next();
  const char* counters = std::getenv(kCountersEnv);
  if (counters == nullptr || *counters == '\0') {  // not ours to watch
    leakgate_heap_stop();
    return;
  }
  if (!is_the_daemon()) {
    remove_worker_files(counters);
    leakgate_heap_stop();
    return;
  }
  // What this library sets up (the registry, its threads, the files' names) is not the
  // daemon's heap.
  const int was_internal = leakgate_heap_internal(1);
  start_preload_as(counters);
  leakgate_heap_internal(was_internal);
}

}  // namespace
}  // namespace leakgate::preload
