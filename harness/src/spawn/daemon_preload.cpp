#include "spawn/daemon_preload.h"

#include <cstdlib>

namespace leakgate {

std::string leakgate_preload_library() {
  if (const char* path = std::getenv("LEAKGATE_PRELOAD_LIB"); path != nullptr && *path != '\0') {
    return path;
  }
#ifdef LEAKGATE_PRELOAD_LIB_PATH
  return LEAKGATE_PRELOAD_LIB_PATH;
#else
  return "libleakgate_preload.so";  // found by the dynamic linker's search path
#endif
}

void add_ld_preload(std::map<std::string, std::string>& env, const std::string& library) {
  std::string current;
  if (auto it = env.find("LD_PRELOAD"); it != env.end()) {
    current = it->second;
  } else if (const char* inherited = std::getenv("LD_PRELOAD")) {
    current = inherited;
  }
  // ld.so splits LD_PRELOAD on spaces and colons; the first library interposes first.
  env["LD_PRELOAD"] = current.empty() ? library : current + ":" + library;
}

}  // namespace leakgate
