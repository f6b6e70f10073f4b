#include "fault_injection.h"

#include <charconv>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/engine.h"

namespace tracker {
namespace {

constexpr FaultDescription kFaults[] = {
    {"engine-per-sync",
     "a new storage engine (and SQLite connection) every sync tick, never closed"},
    {"no-shutdown-cleanup",
     "on shutdown, exit at once: the sync thread is not joined, the engine not closed"},
    {"fd-per-request", "opens /dev/null for every request and never closes it"},
    {"heap-per-request",
     "allocates 64 KiB (heap-per-request:BYTES: that many) for every request and never frees it"},
    {"thread-per-request", "starts a detached thread per request that blocks forever"},
};

constexpr size_t kMaxLeakedBlockBytes = 64 * 1024 * 1024;

// Never destroyed: what was leaked stays reachable until the process ends.
struct Leaks {
  std::mutex mutex;
  std::vector<char*> blocks;
  std::vector<Engine*> engines;
};
Leaks& leaks() {
  static auto* leaks = new Leaks;
  return *leaks;
}

}  // namespace

std::span<const FaultDescription> known_faults() { return kFaults; }

std::variant<FaultSet, std::string> parse_faults(std::string_view list) {
  FaultSet faults;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name == "engine-per-sync") {
      faults.engine_per_sync = true;
    } else if (name == "no-shutdown-cleanup") {
      faults.no_shutdown_cleanup = true;
    } else if (name == "fd-per-request") {
      faults.fd_per_request = true;
    } else if (name == "heap-per-request") {
      faults.heap_per_request = true;
    } else if (name.rfind("heap-per-request:", 0) == 0) {
      // A size lets detection tests leak as little as they need to find (e.g. 1 KiB).
      const std::string_view digits = name.substr(name.find(':') + 1);
      size_t bytes = 0;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), bytes);
      if (error != std::errc() || end != digits.data() + digits.size() || bytes == 0 ||
          bytes > kMaxLeakedBlockBytes) {
        return std::string(name);
      }
      faults.heap_per_request = true;
      faults.heap_leak_bytes = bytes;
    } else if (name == "thread-per-request") {
      faults.thread_per_request = true;
    } else if (!name.empty()) {
      return std::string(name);
    }
  }
  return faults;
}

void leak_per_request(const FaultSet& faults) {
  if (faults.fd_per_request) {
    [[maybe_unused]] const int leaked = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  if (faults.heap_per_request) {
    char* block = new char[faults.heap_leak_bytes];
    std::memset(block, 0xA5, faults.heap_leak_bytes);  // touched: the pages count in RSS
    std::lock_guard lock(leaks().mutex);
    leaks().blocks.push_back(block);
  }
  if (faults.thread_per_request) {
    std::thread([] {
      for (;;) ::pause();
    }).detach();
  }
}

Engine& leak_new_engine(const std::filesystem::path& db_path) {
  auto* engine = new Engine(db_path);
  std::lock_guard lock(leaks().mutex);
  leaks().engines.push_back(engine);
  return *engine;
}

}  // namespace tracker
