#include "elf_debug_info.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "leakgate/unique_fd.h"

namespace leakgate::detail {
namespace {

bool read_exactly(int fd, void* into, size_t size, off_t offset) {
  return ::pread(fd, into, size, offset) == static_cast<ssize_t>(size);
}

std::string to_hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0xf];
  }
  return hex;
}

// The build id from a SHT_NOTE section's bytes: the NT_GNU_BUILD_ID note named "GNU".
std::string build_id_of_notes(const std::vector<unsigned char>& notes) {
  size_t at = 0;
  while (at + sizeof(Elf64_Nhdr) <= notes.size()) {
    Elf64_Nhdr header;
    std::memcpy(&header, notes.data() + at, sizeof header);
    const size_t name_at = at + sizeof header;
    const size_t desc_at = name_at + ((header.n_namesz + 3) & ~size_t{3});
    const size_t next = desc_at + ((header.n_descsz + 3) & ~size_t{3});
    if (next > notes.size() || desc_at + header.n_descsz > notes.size()) break;
    if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 &&
        std::memcmp(notes.data() + name_at, "GNU", 4) == 0) {
      return to_hex(notes.data() + desc_at, header.n_descsz);
    }
    at = next;
  }
  return {};
}

}  // namespace

std::optional<ElfDebugSections> read_elf_debug_sections(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  Elf64_Ehdr ehdr;
  if (!read_exactly(fd.get(), &ehdr, sizeof ehdr, 0) ||
      std::memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0 || ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
      ehdr.e_shentsize != sizeof(Elf64_Shdr) || ehdr.e_shnum == 0 ||
      ehdr.e_shstrndx >= ehdr.e_shnum) {
    return std::nullopt;
  }
  std::vector<Elf64_Shdr> sections(ehdr.e_shnum);
  if (!read_exactly(fd.get(), sections.data(), sections.size() * sizeof(Elf64_Shdr),
                    static_cast<off_t>(ehdr.e_shoff))) {
    return std::nullopt;
  }
  const Elf64_Shdr& names_section = sections[ehdr.e_shstrndx];
  constexpr size_t kMaxSectionBytes = 1 << 20;  // names and notes are small; refuse absurd sizes
  if (names_section.sh_size > kMaxSectionBytes) return std::nullopt;
  std::string names(names_section.sh_size, '\0');
  if (!read_exactly(fd.get(), names.data(), names.size(),
                    static_cast<off_t>(names_section.sh_offset))) {
    return std::nullopt;
  }
  ElfDebugSections found;
  for (const Elf64_Shdr& section : sections) {
    if (section.sh_name >= names.size()) continue;
    const std::string name = names.c_str() + section.sh_name;
    if (name == ".debug_line" || name == ".zdebug_line") {
      found.debug_line = true;
    } else if ((name == ".note.gnu.build-id" || name == ".gnu_debuglink") &&
               section.sh_type != SHT_NOBITS && section.sh_size <= kMaxSectionBytes) {
      std::vector<unsigned char> bytes(section.sh_size);
      if (!read_exactly(fd.get(), bytes.data(), bytes.size(),
                        static_cast<off_t>(section.sh_offset))) {
        continue;
      }
      if (name == ".gnu_debuglink") {
        found.debuglink.assign(reinterpret_cast<const char*>(bytes.data()),
                               strnlen(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      } else {
        found.build_id = build_id_of_notes(bytes);
      }
    }
  }
  return found;
}

bool module_has_line_info(const std::string& path, bool main_program) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, bool>, bool> cache;
  const std::lock_guard lock(mutex);
  const auto key = std::make_pair(path, main_program);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;

  namespace fs = std::filesystem;
  bool has = true;  // unreadable or not ELF64: let addr2line decide
  if (const auto sections = read_elf_debug_sections(path)) {
    std::error_code ec;
    const fs::path module(path);
    const fs::path debug_root("/usr/lib/debug");
    has = sections->debug_line;
    if (!has && main_program && sections->build_id.size() > 2) {
      has = fs::exists(debug_root / ".build-id" / sections->build_id.substr(0, 2) /
                           (sections->build_id.substr(2) + ".debug"),
                       ec);
    }
    if (!has && main_program && !sections->debuglink.empty()) {
      const fs::path dir = module.parent_path();
      for (const fs::path& candidate :
           {dir / sections->debuglink, dir / ".debug" / sections->debuglink,
            debug_root / dir.relative_path() / sections->debuglink}) {
        if (candidate != module && fs::exists(candidate, ec)) has = true;
      }
    }
  }
  cache.emplace(key, has);
  return has;
}

}  // namespace leakgate::detail
