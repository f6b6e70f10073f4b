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

enum class DumpAnswer { kNoChannel, kGone, kTimedOut, kAnswered };

// Asks the channel served by `pid` and waits for the answer; `dump` holds it when answered.
DumpAnswer ask_channel(pid_t pid, const std::string& counter_path,
                       std::chrono::milliseconds timeout, std::optional<std::string>& dump) {
  const ChannelMapping mapping(dc::path_for(counter_path));
  dc::Layout* layout = mapping.served_by(pid);
  if (layout == nullptr) return DumpAnswer::kNoChannel;
  const uint32_t wanted = layout->requested.fetch_add(1) + 1;
  futex(&layout->requested, FUTEX_WAKE, INT_MAX, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const uint32_t answered = layout->answered.load(std::memory_order_acquire);
    if (static_cast<int32_t>(answered - wanted) >= 0) break;
    if (::kill(pid, 0) != 0) return DumpAnswer::kGone;
    if (std::chrono::steady_clock::now() >= deadline) return DumpAnswer::kTimedOut;
    const timespec slice{0, 20'000'000};  // the process may die without answering
    futex(&layout->answered, FUTEX_WAIT, answered, &slice);
  }
  // A worker's dump is in its dump area (dump_channel_layout.h), the daemon's in a file.
  if (const uint32_t size = layout->dump_size.load(std::memory_order_relaxed); size != 0) {
    dump = read_whole(dc::dump_area_path(counter_path));
    if (dump && dump->size() >= size) dump->resize(size);
  } else {
    dump = read_whole(live_dump_path(counter_path));
  }
  return DumpAnswer::kAnswered;
}

nlohmann::json parse_dump(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  return json.is_discarded() ? nlohmann::json(nullptr) : json;
}

// Each element of `from` (live-object groups or heap sites), marked with the process, onto `to`.
void append_marked(nlohmann::json& to, const nlohmann::json& from, const std::string& label) {
  if (!from.is_array()) return;
  if (!to.is_array()) to = nlohmann::json::array();
  for (const auto& entry : from) {
    if (!entry.is_object()) continue;
    nlohmann::json marked = entry;
    marked["process"] = label;
    to.push_back(std::move(marked));
  }
}

}  // namespace

std::optional<std::string> request_preload_dump(pid_t pid, const std::string& counter_path,
                                                std::chrono::milliseconds timeout) {
  std::optional<std::string> dump;
  ask_channel(pid, counter_path, timeout, dump);
  return dump;
}

std::string worker_label(pid_t pid, const std::string& name) {
  return "worker " + std::to_string(pid) + " (" + name + ")";
}

void merge_worker_dump(nlohmann::json& into, const nlohmann::json& worker, const std::string& label) {
  if (!worker.is_object()) return;
  if (!into.is_object()) into = nlohmann::json{{"kinds", nlohmann::json::array()}};
  if (!into.contains("kinds") || !into["kinds"].is_array()) into["kinds"] = nlohmann::json::array();
  if (worker.contains("kinds") && worker["kinds"].is_array()) {
    for (const auto& entry : worker["kinds"]) {
      if (!entry.is_object() || !entry.contains("kind")) continue;
      nlohmann::json* same = nullptr;
      for (auto& mine : into["kinds"]) {
        if (mine.is_object() && mine.value("kind", "") == entry.value("kind", "")) same = &mine;
      }
      if (same == nullptr) {
        into["kinds"].push_back({{"kind", entry["kind"]}, {"groups", nlohmann::json::array()}});
        same = &into["kinds"].back();
      }
      if (entry.contains("groups")) append_marked((*same)["groups"], entry["groups"], label);
    }
  }
  // Heap sites only when the daemon's dump has them too: growth compares like with like.
  if (worker.contains("heap_sites") && into.contains("heap_sites")) {
    append_marked(into["heap_sites"], worker["heap_sites"], label);
  }
}

TreeLiveObjects request_tree_live_objects(DaemonProcess& daemon, const std::string& counter_path,
                                          const std::vector<TreeProcess>& workers,
                                          std::chrono::milliseconds worker_timeout) {
  TreeLiveObjects result;
  result.dump = request_daemon_live_objects(daemon, counter_path);
  for (const TreeProcess& worker : workers) {
    if (worker.pid == daemon.pid()) continue;
    std::optional<std::string> text;
    const std::string own = dc::worker_counters_path(counter_path, worker.pid);
    const DumpAnswer answer = ask_channel(worker.pid, own, worker_timeout, text);
    if (answer == DumpAnswer::kTimedOut) {
      result.warnings.push_back("worker " + std::to_string(worker.pid) + " (" + worker.name +
                                ") did not answer a live-object dump within " +
                                std::to_string(worker_timeout.count()) + " ms: its sites are not named");
    }
    if (answer == DumpAnswer::kAnswered) {
      merge_worker_dump(result.dump, parse_dump(text), worker_label(worker.pid, worker.name));
    }
  }
  return result;
}

nlohmann::json request_daemon_live_objects(DaemonProcess& daemon, const std::string& counter_path) {
  if (!daemon.running()) return nullptr;
  constexpr std::chrono::seconds kTimeout(10);
  auto text = request_preload_dump(daemon.pid(), counter_path, kTimeout);
  if (!text && catches_signal(daemon.pid(), SIGUSR2)) {
    text = request_live_dump(daemon.pid(), counter_path, kTimeout);
  }
  return parse_dump(text);
}

}  // namespace leakgate
