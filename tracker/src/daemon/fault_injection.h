// Deliberate leaks for testing leak detectors (trackerd --inject NAME[,NAME...]).
// Each one re-creates a bug a leak test must catch; none is ever on by default.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace tracker {

class Engine;

struct FaultSet {
  bool engine_per_sync = false;        // a new engine each sync tick, never closed
  bool no_shutdown_cleanup = false;    // exit without joining the sync thread or closing the engine
  bool fd_per_request = false;         // /dev/null opened per request, never closed
  bool heap_per_request = false;       // heap_leak_bytes allocated per request, never freed
  size_t heap_leak_bytes = 64 * 1024;  // heap-per-request:BYTES sets it (detection tests)
  bool thread_per_request = false;     // a parked, detached thread per request
  bool any_per_request() const { return fd_per_request || heap_per_request || thread_per_request; }
};

struct FaultDescription {
  std::string_view name;
  std::string_view leak;
};
std::span<const FaultDescription> known_faults();

// "a,b,c" → the set; an unknown name is returned as the error (the alternative's string).
std::variant<FaultSet, std::string> parse_faults(std::string_view comma_separated);

// The per-request leaks that are enabled in `faults`.
void leak_per_request(const FaultSet& faults);

// A new engine on `db_path`, never destroyed (kept reachable, so LeakSanitizer stays quiet
// while the engine, its SQLite connection and its fds stay live).
Engine& leak_new_engine(const std::filesystem::path& db_path);

}  // namespace tracker
