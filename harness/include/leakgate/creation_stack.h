// Creation stacks: raw return addresses captured cheaply with libunwind when an object is
// made, symbolized only when a report asks (dladdr + demangling, file:line via addr2line).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

inline constexpr int kMaxStackFrames = 32;

// Return addresses of the calling thread, innermost first, without the frames of
// capture_stack itself and `skip` more of its callers. No symbolization, no locks.
std::vector<uintptr_t> capture_stack(int skip = 0);

// The first unw_backtrace opens a pipe (2 fds): call this before a baseline is taken.
void warm_up_unwinder();

struct SymbolizedFrame {
  uintptr_t address = 0;
  std::string function;  // demangled; "??" when unknown
  std::string file;      // source file when debug info allows, else empty
  int line = 0;
  std::string module;       // shared object or executable path
  uintptr_t offset = 0;     // address relative to the module, as addr2line expects it
  bool inlined = false;     // a function inlined at this address into the frames after it
  std::string str() const;  // "fn (file:line)", else "fn (module+0xoff)"
};

// Symbolizes return addresses (looks up address-1 so calls map to their own line).
// One entry per address: the functions inlined there (innermost first), then the real
// function last. Spawns `addr2line` once per module for file:line, inlining and static
// functions; without it (or with LEAKGATE_ADDR2LINE=none) degrades to dladdr names.
std::vector<std::vector<SymbolizedFrame>> symbolize(const std::vector<uintptr_t>& addresses);

namespace detail {
struct Addr2lineRecord {
  std::string function;
  std::string file;
  int line = 0;
};
// Parses `addr2line -a -f -i -C` output: per address a "0x..." line, then pairs of lines
// (function, then file:line or file:line:column, where "??" means unknown and a " (discriminator N)" suffix
// may follow), innermost inlined function first.
std::vector<std::vector<Addr2lineRecord>> parse_addr2line_output(std::string_view text);
}  // namespace detail

}  // namespace leakgate
