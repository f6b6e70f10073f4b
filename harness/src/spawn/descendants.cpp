// DescendantTracker: the daemon's process tree and its orphans, from /proc.
#include "spawn/descendants.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>
#include <thread>

#include "leakgate/proc_parse.h"
#include "leakgate/unique_fd.h"

namespace leakgate {
// Named (not only anonymous): the unity build puts this file beside others with helpers of
// the same names (daemon_process.cpp's sleep_ms).
namespace dtree {
namespace {

constexpr const char* kMarkerName = "LEAKGATE_RUN_MARKER";
constexpr uint64_t kPfExiting = 0x4;  // include/linux/sched.h
constexpr int kMaxDepth = 64;         // a deeper tree is cut there (and cannot be a cycle)
constexpr size_t kMaxEnviron = size_t{1} << 20;

// The whole of a small /proc file (at most `limit` bytes); nullopt when it cannot be opened.
std::optional<std::string> read_proc(const std::string& path, size_t limit = 65536) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  while (text.size() < limit) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

std::string proc_path(pid_t pid, const char* name) {
  return "/proc/" + std::to_string(pid) + "/" + name;
}

std::optional<StatFields> read_stat(pid_t pid) {
  const auto text = read_proc(proc_path(pid, "stat"), 2048);
  if (!text) return std::nullopt;
  return parse_stat_fields(*text);
}

bool is_dead(const StatFields& stat) { return stat.state == 'Z' || stat.state == 'X'; }

// Whether the process's environment holds `entry`; nullopt when it cannot tell (gone, or in
// the middle of an exec, when environ reads empty for a moment).
std::optional<bool> carries(pid_t pid, const std::string& entry) {
  const auto text = read_proc(proc_path(pid, "environ"), kMaxEnviron);
  if (!text || text->empty()) return std::nullopt;
  return environ_has(*text, entry);
}

// The pids in a space-separated list (task/TID/children).
template <class Fn>
void for_each_pid(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    const size_t space = list.find_first_of(" \n");
    const std::string_view word = list.substr(0, space);
    pid_t pid = 0;
    if (!word.empty() &&
        std::from_chars(word.data(), word.data() + word.size(), pid).ec == std::errc{}) {
      fn(pid);
    }
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
}

// Calls fn(child) for every child of every thread of `pid`. A single-threaded process has
// one children file: no directory listing then (most helpers are single-threaded).
template <class Fn>
void for_each_child(pid_t pid, int64_t threads, Fn&& fn) {
  const std::string task = proc_path(pid, "task");
  if (threads == 1) {
    if (const auto list = read_proc(task + "/" + std::to_string(pid) + "/children")) {
      for_each_pid(*list, fn);
      return;
    }
  }
  DIR* dir = ::opendir(task.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> tids;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') tids.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  for (const std::string& tid : tids) {
    if (const auto list = read_proc(task + "/" + tid + "/children")) for_each_pid(*list, fn);
  }
}

// Every numeric entry of /proc.
template <class Fn>
void for_each_process(Fn&& fn) {
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    pid_t pid = 0;
    const char* name = entry->d_name;
    if (std::from_chars(name, name + std::strlen(name), pid).ec == std::errc{} && pid > 0) fn(pid);
  }
  ::closedir(dir);
}

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

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// glibc 2.36's <sys/pidfd.h> declares these without extern "C": call the kernel directly.
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
void pidfd_send_signal(int pidfd, int signo) {
  ::syscall(SYS_pidfd_send_signal, pidfd, signo, nullptr, 0);
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
      const auto marked = dtree::carries(child, entry);
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

std::vector<Descendant> DescendantTracker::alive_after_root() {
  std::lock_guard lock(mutex_);
  return alive_locked(true);
}

std::vector<Descendant> DescendantTracker::alive_locked(bool full_environ_scan) {
  scan_locked();
  const pid_t self = ::getpid();
  if (full_environ_scan) {
    // Marker carriers reparented elsewhere (a descendant that made itself a subreaper, or a
    // harness that could not become one): one read of every process's environ.
    const std::string entry = marker_.first + "=" + marker_.second;
    dtree::for_each_process([&](pid_t pid) {
      if (pid == self || tracked_.count(pid) != 0 || !dtree::carries(pid, entry).value_or(false)) {
        return;
      }
      const auto stat = dtree::read_stat(pid);
      if (!stat || dtree::is_dead(*stat) || is_root(pid, stat->start_time)) return;
      tracked_[pid] = Tracked{stat->start_time, stat->ppid == self};
    });
  }
  std::vector<Descendant> alive;
  for (const auto& [pid, tracked] : tracked_) {
    const auto stat = dtree::read_stat(pid);
    if (!stat || stat->start_time != tracked.start_time || dtree::is_dead(*stat) ||
        (stat->flags & dtree::kPfExiting) != 0) {
      continue;
    }
    // Dying of the SIGKILL that stopped its process group: not an escape.
    const auto status = dtree::read_proc(dtree::proc_path(pid, "status"));
    if (status && status_kill_pending(*status)) continue;
    const auto cmdline = dtree::read_proc(dtree::proc_path(pid, "cmdline"));
    alive.push_back(Descendant{pid, cmdline ? join_cmdline(*cmdline) : std::string{}});
  }
  return alive;
}

std::vector<Descendant> DescendantTracker::stop_all(std::chrono::milliseconds grace) {
  std::lock_guard lock(mutex_);
  const pid_t self = ::getpid();
  std::vector<Descendant> stopped = alive_locked(true);
  // Sends through a pidfd opened before the start time is checked: a reused pid is safe.
  const auto signal_all = [&](const std::vector<Descendant>& targets, int signo) {
    for (const Descendant& target : targets) {
      const auto it = tracked_.find(target.pid);
      if (it == tracked_.end()) continue;
      UniqueFd pidfd(dtree::pidfd_open(target.pid));
      const auto stat = dtree::read_stat(target.pid);
      if (pidfd && stat && stat->start_time == it->second.start_time) {
        dtree::pidfd_send_signal(pidfd.get(), signo);
      }
    }
  };
  // True once nothing tracked runs (our zombies reaped by the scan) or the deadline passed.
  const auto wait_gone = [&](std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      scan_locked();
      bool left = false;
      for (auto it = tracked_.begin(); it != tracked_.end();) {
        const auto stat = dtree::read_stat(it->first);
        const bool same = stat && stat->start_time == it->second.start_time;
        // A zombie of ours that died after the scan looked: reaped here, or it would stay.
        if (!same || (dtree::is_dead(*stat) && stat->ppid == self &&
                      ::waitpid(it->first, nullptr, WNOHANG) == it->first)) {
          it = tracked_.erase(it);
          continue;
        }
        left = left || !dtree::is_dead(*stat) || stat->ppid == self;
        ++it;
      }
      if (!left) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      dtree::sleep_ms(5);
    }
  };
  const auto remember = [&](const std::vector<Descendant>& found) {
    for (const Descendant& d : found) {
      const bool known = std::any_of(stopped.begin(), stopped.end(),
                                     [&](const Descendant& s) { return s.pid == d.pid; });
      if (!known) stopped.push_back(d);
    }
  };
  signal_all(stopped, SIGTERM);
  if (wait_gone(std::chrono::steady_clock::now() + grace)) return stopped;
  // A helper that ignores SIGTERM, or forked a new one meanwhile: SIGKILL, a few rounds.
  for (int round = 0; round < 3; ++round) {
    std::vector<Descendant> left = alive_locked(false);
    remember(left);
    // The scan's alive list skips processes already dying of SIGKILL; kill every tracked one.
    for (const auto& [pid, tracked] : tracked_) {
      const bool listed = std::any_of(left.begin(), left.end(),
                                      [pid = pid](const Descendant& d) { return d.pid == pid; });
      if (!listed) left.push_back(Descendant{pid, {}});
    }
    signal_all(left, SIGKILL);
    if (wait_gone(std::chrono::steady_clock::now() + std::chrono::milliseconds(700))) break;
  }
  return stopped;
}

}  // namespace leakgate
