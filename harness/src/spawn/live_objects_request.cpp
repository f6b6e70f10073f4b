#include "spawn/live_objects_request.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include "leakgate/live_dump.h"
#include "leakgate/proc_parse.h"
#include "leakgate/unique_fd.h"
#include "preload/dump_channel_layout.h"

namespace leakgate {
namespace {

namespace dc = dump_channel;

// The channel file mapped read-write; unmapped when it goes out of scope.
class ChannelMapping {
 public:
  explicit ChannelMapping(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    struct stat info {};
    if (!fd || ::fstat(fd.get(), &info) != 0 || info.st_size < 0 ||
        static_cast<size_t>(info.st_size) < sizeof(dc::Layout)) {
      return;
    }
    void* base =
        ::mmap(nullptr, sizeof(dc::Layout), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (base != MAP_FAILED) layout_ = static_cast<dc::Layout*>(base);
  }
  ~ChannelMapping() {
    if (layout_ != nullptr) ::munmap(layout_, sizeof(dc::Layout));
  }
  ChannelMapping(const ChannelMapping&) = delete;
  ChannelMapping& operator=(const ChannelMapping&) = delete;

  // The layout when the file is a channel served by `pid`.
  dc::Layout* served_by(pid_t pid) const {
    if (layout_ == nullptr || std::memcmp(layout_->magic, dc::kMagic, sizeof dc::kMagic) != 0 ||
        layout_->pid.load() != pid) {
      return nullptr;
    }
    return layout_;
  }

 private:
  dc::Layout* layout_ = nullptr;
};

long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, timeout, nullptr, 0);
}

std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The kernel's word on it: the counter file's "handles SIGUSR2" flag can be stale (a wrapper
// script loaded the accounting library, then exec'd the daemon, which reset the handler), and
// SIGUSR2's default action kills.
bool catches_signal(pid_t pid, int signo) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::ostringstream status;
  status << in.rdbuf();
  const auto caught = parse_status_signal_mask(status.str(), "SigCgt");
  return caught && (*caught & (uint64_t{1} << (signo - 1))) != 0;
}

}  // namespace

std::optional<std::string> request_preload_dump(pid_t pid, const std::string& counter_path,
                                                std::chrono::milliseconds timeout) {
  const ChannelMapping mapping(dc::path_for(counter_path));
  dc::Layout* layout = mapping.served_by(pid);
  if (layout == nullptr) return std::nullopt;
  const uint32_t wanted = layout->requested.fetch_add(1) + 1;
  futex(&layout->requested, FUTEX_WAKE, INT_MAX, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const uint32_t answered = layout->answered.load(std::memory_order_acquire);
    if (static_cast<int32_t>(answered - wanted) >= 0) break;
    if (std::chrono::steady_clock::now() >= deadline || ::kill(pid, 0) != 0) return std::nullopt;
    const timespec slice{0, 20'000'000};  // the process may die without answering
    futex(&layout->answered, FUTEX_WAIT, answered, &slice);
  }
  return read_whole(live_dump_path(counter_path));
}

nlohmann::json request_daemon_live_objects(DaemonProcess& daemon, const std::string& counter_path) {
  if (!daemon.running()) return nullptr;
  constexpr std::chrono::seconds kTimeout(10);
  auto text = request_preload_dump(daemon.pid(), counter_path, kTimeout);
  if (!text && catches_signal(daemon.pid(), SIGUSR2)) {
    text = request_live_dump(daemon.pid(), counter_path, kTimeout);
  }
  if (!text) return nullptr;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

}  // namespace leakgate
