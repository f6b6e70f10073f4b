// Every process a daemon started, found and stopped. The harness becomes the child subreaper,
// so an orphan of the daemon's tree (a helper in a new session after the daemon exited, the
// grandchild of a double fork) is reparented to the harness instead of init. A tracker finds
// the live tree by walking /proc/PID/task/*/children from the daemon and from the harness,
// and recognises orphans it never saw in the tree by the run marker in /proc/PID/environ.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leakgate/proc_parse.h"  // StatFields

namespace leakgate {

struct Descendant {
  pid_t pid = -1;
  std::string command_line;  // /proc/PID/cmdline, arguments joined by spaces
};

// A process of the daemon's tree at the last scan (the root excluded). A zombie stays in its
// parent's children list until the parent reaps it: it counts as a child, named as a zombie.
struct TreeMember {
  pid_t pid = -1;
  pid_t parent = -1;
  std::string name;  // comm, /proc/PID/stat field 2 ("nginx", "python3")
  bool zombie = false;
};

// Makes this process the child subreaper (PR_SET_CHILD_SUBREAPER), once: orphans of the
// daemon's tree are reparented to the harness instead of init, so they stay findable and
// reapable. Throws std::system_error when the kernel refuses.
void become_child_subreaper();

// Thread-safe (one mutex): the sampler thread may scan while the runner stops.
class DescendantTracker {
 public:
  // root -1: none yet (the marker must be in the daemon's environment before it starts).
  explicit DescendantTracker(pid_t root = -1);
  DescendantTracker(const DescendantTracker&) = delete;
  DescendantTracker& operator=(const DescendantTracker&) = delete;

  // {"LEAKGATE_RUN_MARKER", <random token of this tracker>}: add it to the daemon's launch
  // environment; whatever inherits it is recognised even if it was never seen in the tree.
  const std::pair<std::string, std::string>& marker_env() const { return marker_; }

  // A restart step starts a new daemon; what was found before stays tracked. Every root stays
  // excluded (never counted, never reaped: DaemonProcess waits for it), so a wrapper's daemon
  // adopted behind it is set as a second root.
  void set_root(pid_t root);

  // A child of the harness that carries no marker but `belongs` says is the daemon's (it is
  // in the daemon's cgroup: a double fork that also dropped its environment) is tracked as
  // the daemon's orphan. Empty: the marker alone.
  void recognise_also(std::function<bool(pid_t)> belongs);

  // The live descendants of root plus the live orphans reparented to us that were seen in
  // root's tree or carry the marker (root excluded); reaps zombies of such orphans. No full
  // /proc scan: two tree walks and one environ read per new child of the harness.
  int64_t scan();
  // Of the last scan's count, the processes that are the harness's own children (orphans
  // reparented to it): the harness's client.children should not count them. Lock-free: a
  // sampler tick never waits for stop_all().
  int64_t adopted_count() const { return adopted_.load(std::memory_order_relaxed); }
  // The last scan's processes: the live ones and the zombies their parents never reaped.
  std::vector<TreeMember> members() const;

  // After the root has exited: the tracked descendants still alive (not zombies, not
  // already dying of a SIGKILL; pid reuse ruled out by the start time in /proc/PID/stat).
  // Also reads the environ of every process once, for marker carriers reparented elsewhere.
  std::vector<Descendant> alive_after_root();

  // SIGTERM to each, SIGKILL after grace, reap those that are our children. Returns who
  // was alive. Waits at most grace + 2 s.
  std::vector<Descendant> stop_all(std::chrono::milliseconds grace);

 private:
  struct Tracked {
    uint64_t start_time = 0;
    bool adopted = false;  // our child at the last look
  };
  void scan_locked();
  void walk(pid_t pid, int64_t threads, std::vector<pid_t>& seen, int depth);
  void add_member(pid_t pid, pid_t parent, const StatFields& stat);
  void look_at_our_children(std::vector<pid_t>& seen);
  bool is_root(pid_t pid, uint64_t start_time) const;
  std::vector<Descendant> alive_locked(bool full_environ_scan);

  mutable std::mutex mutex_;
  std::pair<std::string, std::string> marker_;
  pid_t root_ = -1;
  uint64_t root_start_ = 0;
  std::vector<std::pair<pid_t, uint64_t>> roots_;  // every root: never tracked, never reaped
  std::vector<pid_t> root_groups_;                 // their process groups (not ours)
  std::map<pid_t, Tracked> tracked_;
  std::map<pid_t, uint64_t> foreign_;  // our children without the marker (exec steps)
  std::function<bool(pid_t)> belongs_;
  int64_t alive_ = 0;  // live members and zombies: daemon.children
  std::vector<TreeMember> members_;
  int64_t adopted_now_ = 0;  // counted during a scan, published when it ends
  std::atomic<int64_t> adopted_{0};
};

}  // namespace leakgate
