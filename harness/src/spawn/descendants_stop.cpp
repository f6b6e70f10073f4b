// DescendantTracker: which tracked processes are alive, and stopping them.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "leakgate/unique_fd.h"
#include "spawn/descendants.h"
#include "spawn/proc_entries.h"

namespace leakgate {
// Named (not only anonymous): the unity build puts this file beside others with helpers of
// the same names (daemon_process.cpp's sleep_ms).
namespace dtree {
namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// glibc 2.36's <sys/pidfd.h> declares these without extern "C": call the kernel directly.
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
void pidfd_send_signal(int pidfd, int signo) {
  ::syscall(SYS_pidfd_send_signal, pidfd, signo, nullptr, 0);
}

}  // namespace
}  // namespace dtree

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
