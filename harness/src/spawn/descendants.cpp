// DescendantTracker: the daemon's process tree and its orphans, from /proc.
#include "spawn/descendants.h"

#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <system_error>

#include "leakgate/proc_parse.h"
#include "spawn/proc_entries.h"

namespace leakgate {
namespace dtree {
namespace {

constexpr const char* kMarkerName = "LEAKGATE_RUN_MARKER";
constexpr int kMaxDepth = 64;  // a deeper tree is cut there (and cannot be a cycle)

std::string random_token() {
  unsigned char bytes[16] = {};
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char byte : bytes) {
    token += kHex[byte >> 4];
    token += kHex[byte & 15];
  }
  return token;
}

}  // namespace
}  // namespace dtree

void become_child_subreaper() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
      throw std::system_error(errno, std::generic_category(), "prctl(PR_SET_CHILD_SUBREAPER)");
    }
  });
}

DescendantTracker::DescendantTracker(pid_t root)
    : marker_(dtree::kMarkerName, dtree::random_token()) {
  if (root > 0) set_root(root);
}

void DescendantTracker::set_root(pid_t root) {
  std::lock_guard lock(mutex_);
  const auto stat = dtree::read_stat(root);
  root_ = root;
  root_start_ = stat ? stat->start_time : 0;
  roots_.emplace_back(root, root_start_);
  tracked_.erase(root);
  // Its group catches the zombie of a double fork that exited before any scan saw it. Our
  // own group would also catch the exit steps that the harness waits for: never that one.
  if (stat && stat->pgrp > 0 && stat->pgrp != ::getpgrp()) root_groups_.push_back(stat->pgrp);
}

int64_t DescendantTracker::scan() {
  std::lock_guard lock(mutex_);
  scan_locked();
  return alive_;
}

bool DescendantTracker::is_root(pid_t pid, uint64_t start_time) const {
  return std::find(roots_.begin(), roots_.end(), std::pair{pid, start_time}) != roots_.end();
}

std::vector<TreeMember> DescendantTracker::members() const {
  std::lock_guard lock(mutex_);
  return members_;
}

void DescendantTracker::add_member(pid_t pid, pid_t parent, const StatFields& stat) {
  members_.push_back(TreeMember{pid, parent, stat.comm, dtree::is_dead(stat)});
}

void DescendantTracker::scan_locked() {
  alive_ = 0;
  adopted_now_ = 0;
  members_.clear();
  std::vector<pid_t> seen;
  if (root_ > 0) {
    const auto stat = dtree::read_stat(root_);
    if (stat && stat->start_time == root_start_ && !dtree::is_dead(*stat)) {
      walk(root_, stat->threads, seen, 0);
    }
  }
  look_at_our_children(seen);
  // Tracked processes found in neither walk: alive elsewhere, a zombie, or gone.
  const pid_t self = ::getpid();
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    const pid_t pid = it->first;
    if (std::find(seen.begin(), seen.end(), pid) != seen.end()) {
      ++it;
      continue;
    }
    const auto stat = dtree::read_stat(pid);
    if (!stat || stat->start_time != it->second.start_time) {
      it = tracked_.erase(it);
      continue;
    }
    if (dtree::is_dead(*stat)) {
      // Ours to reap (by its pid only); another parent's zombie is that parent's.
      if (stat->ppid == self && ::waitpid(pid, nullptr, WNOHANG) == pid) {
        it = tracked_.erase(it);
        continue;
      }
    } else {
      ++alive_;
      add_member(pid, stat->ppid, *stat);
      it->second.adopted = stat->ppid == self;
      if (it->second.adopted) ++adopted_now_;
    }
    ++it;
  }
  adopted_.store(adopted_now_, std::memory_order_relaxed);
}

void DescendantTracker::walk(pid_t pid, int64_t threads, std::vector<pid_t>& seen, int depth) {
  if (depth >= dtree::kMaxDepth) return;
  dtree::for_each_child(pid, threads, [&](pid_t child) {
    if (std::find(seen.begin(), seen.end(), child) != seen.end()) return;
    const auto stat = dtree::read_stat(child);
    if (!stat || is_root(child, stat->start_time)) return;
    if (dtree::is_dead(*stat)) {
      // Its parent's to reap, and a leak while it does not: counted, never tracked or stopped.
      seen.push_back(child);
      ++alive_;
      add_member(child, pid, *stat);
      return;
    }
    Tracked& entry = tracked_[child];
    entry.start_time = stat->start_time;
    entry.adopted = false;
    seen.push_back(child);
    ++alive_;
    add_member(child, pid, *stat);
    walk(child, stat->threads, seen, depth + 1);
  });
}

void DescendantTracker::recognise_also(std::function<bool(pid_t)> belongs) {
  std::lock_guard lock(mutex_);
  belongs_ = std::move(belongs);
}

void DescendantTracker::look_at_our_children(std::vector<pid_t>& seen) {
  const std::string entry = marker_.first + "=" + marker_.second;
  std::map<pid_t, uint64_t> foreign;
  dtree::for_each_child(::getpid(), 0, [&](pid_t child) {
    if (std::find(seen.begin(), seen.end(), child) != seen.end()) return;
    const auto stat = dtree::read_stat(child);
    if (!stat || is_root(child, stat->start_time)) return;  // DaemonProcess waits for roots
    auto it = tracked_.find(child);
    const bool known = it != tracked_.end() && it->second.start_time == stat->start_time;
    if (dtree::is_dead(*stat)) {
      const bool of_root_group =
          std::find(root_groups_.begin(), root_groups_.end(), stat->pgrp) != root_groups_.end();
      if ((known || of_root_group) && ::waitpid(child, nullptr, WNOHANG) == child && known) {
        tracked_.erase(it);
      }
      return;
    }
    if (!known) {
      const auto was_foreign = foreign_.find(child);
      if (was_foreign != foreign_.end() && was_foreign->second == stat->start_time) {
        foreign.emplace(child, stat->start_time);
        return;
      }
      const bool belongs = belongs_ && belongs_(child);
      const auto marked = belongs ? std::optional<bool>(true) : dtree::carries(child, entry);
      if (!marked) return;  // look again next time
      if (!*marked) {
        foreign.emplace(child, stat->start_time);  // an exec step or helper: not ours to judge
        return;
      }
    }
    tracked_[child] = Tracked{stat->start_time, true};
    seen.push_back(child);
    ++alive_;
    ++adopted_now_;
    add_member(child, ::getpid(), *stat);
    walk(child, stat->threads, seen, 1);
  });
  foreign_ = std::move(foreign);
}

}  // namespace leakgate
