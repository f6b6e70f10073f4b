// A per-test cgroup holding the daemon's whole process tree, as systemd holds a service: what
// it forks, in any session, stays accounted (memory, tasks) and is stopped at the end.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leakgate/unique_fd.h"
#include "spawn/descendants.h"  // Descendant

namespace leakgate {

struct CgroupFigures {
  std::optional<int64_t> memory_bytes;  // working set (cgroup_layout.h says which)
  std::optional<int64_t> tasks;         // pids.current: processes and threads
};

class DaemonCgroup {
 public:
  // Makes leakgate-<scenario>-<pid> under this process's own cgroup: the unified hierarchy
  // when it offers memory and pids (v2), else the v1 memory and pids hierarchies. nullptr
  // when the machine does not allow it, with `why_not` saying why in one line.
  static std::unique_ptr<DaemonCgroup> create(const std::string& scenario, std::string& why_not);
  // Stops what is left in it and removes its directories; never throws.
  ~DaemonCgroup();
  DaemonCgroup(const DaemonCgroup&) = delete;
  DaemonCgroup& operator=(const DaemonCgroup&) = delete;

  bool v2() const { return v2_; }
  const std::vector<std::string>& dirs() const { return dirs_; }
  // Its cgroup.procs files, open for writing: a child writes "0" to each between fork and
  // exec (write(2) is async-signal-safe) and so enters before it runs a line of the daemon.
  std::vector<int> join_fds() const;
  // Whether `pid` is in it (all of its hierarchies).
  bool holds(pid_t pid) const;
  // The processes in it now.
  std::vector<pid_t> pids() const;
  // The processes in it that are alive and not already dying of a signal, with their command
  // lines: after the daemon stopped, what escaped its tree.
  std::vector<Descendant> living() const;
  // Its memory and tasks; what cannot be read is unset. One thread at a time.
  CgroupFigures read() const;
  // `stop_signal` to every process in it, SIGKILL to what is left after `grace`, until it is
  // empty (at most grace + 2 s). Reaps those that are our children (the harness is the
  // subreaper of the daemon's orphans). Returns who was in it.
  std::vector<pid_t> stop_all(int stop_signal, std::chrono::milliseconds grace);

 private:
  DaemonCgroup() = default;
  bool remove();

  bool v2_ = false;
  std::vector<std::string> dirs_;  // made by us, removed by us
  std::vector<UniqueFd> procs_;    // cgroup.procs of each, write-only
  UniqueFd memory_usage_;          // memory.usage_in_bytes (v1) / memory.current (v2)
  UniqueFd memory_stat_;
  UniqueFd pids_current_;
};

// The dirs a stopped run left (the harness killed before its destructors ran): every
// leakgate-* directory under `parent` whose pid suffix is no live process, that is older than
// `min_age` (a pid of another pid namespace looks dead here: its run's cgroup is empty between
// a stop and a restart) and that holds no process. Returns how many were removed.
int remove_stale_cgroups(const std::string& parent,
                         std::chrono::seconds min_age = std::chrono::minutes(10));

}  // namespace leakgate
