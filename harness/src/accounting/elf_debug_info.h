// Whether addr2line can add file:line to a module's addresses: running it where it cannot
// costs milliseconds and gives no more than dladdr's symbol names.
#pragma once

#include <optional>
#include <string>

namespace leakgate::detail {

struct ElfDebugSections {
  bool debug_line = false;  // a .debug_line section in the file itself
  std::string build_id;     // hex of the NT_GNU_BUILD_ID note, "" if none
  std::string debuglink;    // the file name in .gnu_debuglink, "" if none
};

// Reads the section headers of a 64-bit ELF file; nullopt when it is not one or unreadable.
std::optional<ElfDebugSections> read_elf_debug_sections(const std::string& path);

// Whether addr2line is worth running on a module. True when it has line tables itself, or,
// for the main program only, a separate debug file where binutils looks
// (/usr/lib/debug/.build-id/xx/rest.debug, or the debuglink name beside it, in its .debug/
// directory or under /usr/lib/debug). A shared library whose lines live only in such a file
// (libc with libc6-dbg, which valgrind installs) keeps dladdr's names: loading that file
// costs ~65 ms per dump, for frames like __libc_start_main. True as well when the file cannot
// be read as ELF64: then addr2line decides. Cached per path.
bool module_has_line_info(const std::string& path, bool main_program);

}  // namespace leakgate::detail
