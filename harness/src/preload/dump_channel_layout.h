// The preload library's dump channel, shared by the harness (spawn/live_objects_request.cpp)
// and the library (dump_channel.cpp): a small file "<counter file>.dump" that both map. The
// harness bumps `requested` and wakes it; the library's own thread writes the live-object
// dump to "<counter file>.live.json", sets `answered` and wakes it. Futexes on a MAP_SHARED
// file mapping work across processes. The daemon never sees it: no signal, and no fd (the
// mapping outlives the fd it was made from), so exec'd children inherit nothing and
// daemon.fds counts nothing of it.
//
// A forked worker (a child that did not exec: nginx's, a pre-forking server's) is watched as
// its own process: the library starts again in it (preload_init.cpp) with the counter file
// "<counters>.<pid>", the channel "<counters>.<pid>.dump" and the dump
// "<counters>.<pid>.live.json", beside the spawned daemon's. The harness asks every live
// descendant whose channel exists (spawn/live_objects_request.h). A worker may drop its
// privileges after the fork (nginx's run as nobody) and then cannot create files in the work
// directory: it writes its dump into "<counters>.<pid>.live", a sparse file mapped at the fork
// (kDumpAreaBytes), and says its length in `dump_size`.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace leakgate::dump_channel {

inline constexpr char kMagic[8] = {'L', 'G', 'D', 'U', 'M', 'P', 'C', '1'};

struct Layout {
  char magic[8];                    // written before the file is renamed into place
  std::atomic<int32_t> pid;         // the process whose thread serves requests
  std::atomic<uint32_t> requested;  // futex word: bumped by the harness per request
  std::atomic<uint32_t> answered;   // futex word: the last request whose dump is written
  std::atomic<uint32_t> dump_size;  // bytes of the dump in the dump area; 0: in the .live.json
  uint32_t reserved[10];
};

static_assert(std::atomic<uint32_t>::is_always_lock_free && sizeof(std::atomic<uint32_t>) == 4);
static_assert(sizeof(Layout) == 64);

inline std::string path_for(const std::string& counters_path) { return counters_path + ".dump"; }

// A worker's dump area: written through a mapping, only the dump's pages ever hold data.
inline constexpr uint32_t kDumpAreaBytes = 32u << 20;
inline std::string dump_area_path(const std::string& counters_path) {
  return counters_path + ".live";
}

// The counter file of the forked worker `pid` of the daemon whose counter file is `counters_path`.
inline std::string worker_counters_path(const std::string& counters_path, long pid) {
  return counters_path + "." + std::to_string(pid);
}

}  // namespace leakgate::dump_channel
