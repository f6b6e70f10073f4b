// Libraries the harness LD_PRELOADs into a daemon: libtcmalloc for heap profiling, and
// libleakgate_preload.so (fd creation stacks and the counter file for foreign daemons).
#pragma once

#include <map>
#include <string>

namespace leakgate {

// Where libleakgate_preload.so is: $LEAKGATE_PRELOAD_LIB, else the installed library beside
// the executable (an installed leakgate), else its build path (compiled in).
std::string leakgate_preload_library();

// gperftools' full tcmalloc (with the heap profiler).
inline constexpr const char* kTcmallocLibrary = "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4";

// Appends `library` to LD_PRELOAD in `env` (a daemon launch's additions to the harness's
// environment), keeping what env or the harness's own environment already preload.
void add_ld_preload(std::map<std::string, std::string>& env, const std::string& library);

}  // namespace leakgate
