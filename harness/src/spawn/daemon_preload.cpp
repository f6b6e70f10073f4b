#include "spawn/daemon_preload.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace leakgate {

namespace {

// An installed CLI (cmake --install, the .deb) finds the installed library beside itself:
// LEAKGATE_PRELOAD_LIB_FROM_BINDIR is its path relative to the executable's directory
// (cmake/LeakgateInstall.cmake, "../lib/libleakgate_preload.so" on most layouts).
std::string preload_library_beside_executable() {
#ifdef LEAKGATE_PRELOAD_LIB_FROM_BINDIR
  std::error_code error;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  const std::filesystem::path candidate =
      (executable.parent_path() / LEAKGATE_PRELOAD_LIB_FROM_BINDIR).lexically_normal();
  if (std::filesystem::is_regular_file(candidate, error)) return candidate.string();
#endif
  return {};
}

}  // namespace

// $LEAKGATE_PRELOAD_LIB, else the installed library beside the executable, else the build
// path (compiled in), else the bare name for the dynamic linker's search path.
std::string leakgate_preload_library() {
  if (const char* path = std::getenv("LEAKGATE_PRELOAD_LIB"); path != nullptr && *path != '\0') {
    return path;
  }
  if (std::string installed = preload_library_beside_executable(); !installed.empty()) {
    return installed;
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
