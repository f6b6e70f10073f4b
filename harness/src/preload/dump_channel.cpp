// The serving side of the dump channel (dump_channel_layout.h): a thread of this library's
// own, blocked on a futex in the shared file, with every signal blocked. A forked child keeps
// the mapping but not the thread: it never answers the parent's file (which names the parent's
// pid); a forked worker starts a channel of its own (preload_init.cpp).
#include "dump_channel.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>

#include <nlohmann/json.hpp>

#include "dump_channel_layout.h"
#include "fork_guard.h"
#include "heap_api.h"
#include "leakgate/live_dump.h"
#include "leakgate/registry.h"
#include "quiet_thread.h"

namespace leakgate::preload {
namespace {

namespace dc = dump_channel;

struct Channel {
  dc::Layout* layout = nullptr;
  std::string dump_path;
  const char* extra_key = nullptr;
  std::string (*render_extra)() = nullptr;
  char* area = nullptr;  // a worker's dump area (kDumpAreaBytes), or null: the .live.json
};

long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
  // Not FUTEX_PRIVATE: the harness waits and wakes from another process.
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, timeout, nullptr, 0);
}

std::string render(const Channel& channel) {
  std::string text = Registry::global().live_objects_json();
  if (channel.render_extra == nullptr) return text;
  auto dump = nlohmann::json::parse(text, nullptr, false);
  auto extra = nlohmann::json::parse(channel.render_extra(), nullptr, false);
  if (!dump.is_object() || extra.is_discarded()) return text;
  dump[channel.extra_key] = std::move(extra);
  return dump.dump();
}

// Raw open/write: fds this library opens itself are not recorded as the daemon's (the hook
// skips callers inside this library; a stream's open would come from libstdc++).
bool write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return done == text.size() && ::rename(tmp.c_str(), path.c_str()) == 0;
}

// Into the mapped area; its pages then leave this process's resident set (the file keeps
// them), so a dump never counts in the worker's RSS.
uint32_t write_to_area(char* area, const std::string& text) {
  if (text.size() > dc::kDumpAreaBytes) return 0;
  std::memcpy(area, text.data(), text.size());
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  ::madvise(area, (text.size() + page - 1) / page * page, MADV_DONTNEED);
  return static_cast<uint32_t>(text.size());
}

void* serve(void* arg) {
  leakgate_heap_internal(1);  // the dump's allocations are this library's, not the daemon's
  // Allocate once now, not first at the baseline's dump: jemalloc binds this thread to an
  // arena of its own and starts that arena's background thread at its first allocation,
  // which would count as a daemon thread grown after the baseline (redis-preload-clean).
  void* volatile first = std::malloc(1);  // volatile: the pair must not be optimised away
  std::free(first);
  const Channel& channel = *static_cast<Channel*>(arg);
  dc::Layout& layout = *channel.layout;
  for (;;) {
    const uint32_t requested = layout.requested.load(std::memory_order_acquire);
    if (requested != layout.answered.load(std::memory_order_relaxed)) {
      try {
        std::string text;
        {
          const ForkGuardLock guard;  // rendering takes the registry's and the table's locks
          text = render(channel);
        }
        if (channel.area != nullptr)
          layout.dump_size.store(write_to_area(channel.area, text), std::memory_order_relaxed);
        else
          write_atomically(channel.dump_path, text);
      } catch (const std::exception&) {
        // Out of memory while rendering: answer anyway, so the harness stops waiting.
      }
      layout.answered.store(requested, std::memory_order_release);
      futex(&layout.answered, FUTEX_WAKE, INT_MAX, nullptr);
      continue;
    }
    // Asleep until the harness bumps the word and wakes it (no timer: an idle daemon stays idle).
    futex(&layout.requested, FUTEX_WAIT, requested, nullptr);
  }
  return nullptr;
}

// "<path>" holding a fresh layout, written beside it and renamed into place: a harness that
// maps the file of an earlier image (a wrapper that exec'd the daemon) keeps a valid mapping.
dc::Layout* create_file(const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  void* base = MAP_FAILED;
  if (::ftruncate(fd, sizeof(dc::Layout)) == 0) {
    base = ::mmap(nullptr, sizeof(dc::Layout), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  ::close(fd);  // the mapping stays: the daemon holds no fd of ours
  if (base == MAP_FAILED) {
    ::unlink(tmp.c_str());
    return nullptr;
  }
  auto* layout = new (base) dc::Layout{};
  layout->pid.store(getpid());
  std::memcpy(layout->magic, dc::kMagic, sizeof dc::kMagic);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    ::munmap(base, sizeof(dc::Layout));
    return nullptr;
  }
  return layout;
}

// A sparse file of kDumpAreaBytes mapped shared; null on failure.
char* map_dump_area(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  void* base = MAP_FAILED;
  if (::ftruncate(fd, dc::kDumpAreaBytes) == 0) {
    base = ::mmap(nullptr, dc::kDumpAreaBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
                  fd, 0);
  }
  ::close(fd);  // the mapping stays, as the channel's does
  return base == MAP_FAILED ? nullptr : static_cast<char*>(base);
}

}  // namespace

bool start_dump_channel(const std::string& counters_path, const char* extra_key,
                        std::string (*render_extra)(), bool in_area) {
  char* area = in_area ? map_dump_area(dc::dump_area_path(counters_path)) : nullptr;
  if (in_area && area == nullptr) return false;
  dc::Layout* layout = create_file(dc::path_for(counters_path));
  if (layout == nullptr) return false;
  // Lives until exit, as the thread does.
  auto* channel =
      new Channel{layout, live_dump_path(counters_path), extra_key, render_extra, area};
  if (!start_quiet_thread(serve, channel, "leakgate-dump")) {
    layout->pid.store(0);  // nobody serves: the harness must not wait
    return false;
  }
  return true;
}

}  // namespace leakgate::preload
