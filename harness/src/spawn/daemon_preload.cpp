#include "spawn/daemon_preload.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "leakgate/unique_fd.h"

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

template <class T>
bool read_at(int fd, off_t offset, T* out, size_t count = 1) {
  const size_t bytes = sizeof(T) * count;
  return ::pread(fd, out, bytes, offset) == static_cast<ssize_t>(bytes);
}

// argv[0] as execvp would find it.
std::string on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace

bool elf_exports_symbol(const std::string& path, const std::string& symbol) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  Elf64_Ehdr header{};
  if (!fd || !read_at(fd.get(), 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    return false;
  }
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  if (sections.empty() ||
      !read_at(fd.get(), static_cast<off_t>(header.e_shoff), sections.data(), sections.size())) {
    return false;
  }
  for (const Elf64_Shdr& section : sections) {
    if (section.sh_type != SHT_DYNSYM || section.sh_link >= sections.size()) continue;
    const Elf64_Shdr& strings = sections[section.sh_link];
    std::string names(strings.sh_size, '\0');
    if (!read_at(fd.get(), static_cast<off_t>(strings.sh_offset), names.data(), names.size())) {
      return false;
    }
    std::vector<Elf64_Sym> symbols(section.sh_size / sizeof(Elf64_Sym));
    if (!read_at(fd.get(), static_cast<off_t>(section.sh_offset), symbols.data(), symbols.size())) {
      return false;
    }
    for (const Elf64_Sym& sym : symbols) {
      if (sym.st_shndx == SHN_UNDEF || sym.st_name >= names.size()) continue;
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC && ELF64_ST_TYPE(sym.st_info) != STT_GNU_IFUNC)
        continue;
      if (std::strcmp(names.c_str() + sym.st_name, symbol.c_str()) == 0) return true;
    }
  }
  return false;
}

std::optional<std::string> preload_heap_limit(const std::vector<std::string>& argv) {
  if (argv.empty()) return std::nullopt;
  const std::string executable = on_path(argv.front());
  if (executable.empty() || !elf_exports_symbol(executable, "malloc")) return std::nullopt;
  return "preload: " + executable +
         " defines malloc itself (a statically linked allocator), ahead of the preload "
         "library's hooks: its heap is not counted (daemon.heap unjudged; /proc figures stand)";
}

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
