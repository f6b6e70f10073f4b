// Libraries the harness LD_PRELOADs into a daemon: libtcmalloc for heap profiling, and
// libleakgate_preload.so (fd creation stacks and the counter file for foreign daemons).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leakgate {

// Where libleakgate_preload.so is: $LEAKGATE_PRELOAD_LIB, else the installed library beside
// the executable (an installed leakgate), else its build path (compiled in).
std::string leakgate_preload_library();

// Why the preload library cannot count this daemon's heap, said before the start: its
// executable (argv[0], looked up on PATH) defines malloc itself (a statically linked jemalloc,
// tcmalloc or mimalloc: `nm -D` lists it), so the process's malloc is found before the
// library's hooks. daemon.heap then has no preload figure; /proc figures stand. nullopt when
// nothing stands in the way (or the file is no ELF executable: a script's interpreter loads
// the library like any other program).
std::optional<std::string> preload_heap_limit(const std::vector<std::string>& argv);

// Whether the ELF file at `path` defines `symbol` in its dynamic symbol table.
bool elf_exports_symbol(const std::string& path, const std::string& symbol);

// gperftools' full tcmalloc (with the heap profiler).
inline constexpr const char* kTcmallocLibrary = "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4";

// Appends `library` to LD_PRELOAD in `env` (a daemon launch's additions to the harness's
// environment), keeping what env or the harness's own environment already preload.
void add_ld_preload(std::map<std::string, std::string>& env, const std::string& library);

}  // namespace leakgate
