// Where this process's cgroups are, from /proc/self/mountinfo and /proc/self/cgroup, and the
// memory figure read from a cgroup's files: pure parsers (text in, value out), unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

// One cgroup filesystem of /proc/self/mountinfo.
struct CgroupMount {
  std::string root;                  // field 4: the hierarchy's directory mounted here ("/" mostly)
  std::string mount_point;           // field 5: "/sys/fs/cgroup/memory"
  bool v2 = false;                   // fstype cgroup2 (else cgroup, v1)
  std::vector<std::string> options;  // super options: "rw", "memory", "name=systemd"
};

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo);

// One line of /proc/self/cgroup: "4:memory:/a/b", "8:pids,cpu:/", "0::/user.slice".
struct CgroupMembership {
  std::vector<std::string> controllers;  // empty for the v2 line "0::"
  std::string path;                      // relative to the hierarchy's root
};

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text);

// This process's own cgroup directories: under them a per-test cgroup is made (a child of
// our own cgroup keeps whatever limits the machine set for us). Unset when not mounted, or
// when the mount shows only another part of the hierarchy than the one we are in.
struct CgroupDirs {
  std::optional<std::string> unified;  // v2
  std::optional<std::string> memory;   // v1 memory controller
  std::optional<std::string> pids;     // v1 pids controller
};

CgroupDirs own_cgroup_dirs(const std::vector<CgroupMount>& mounts,
                           const std::vector<CgroupMembership>& memberships);

// Whether a space-separated controller list (v2 cgroup.controllers, cgroup.subtree_control)
// names `controller`.
bool lists_controller(std::string_view list, std::string_view controller);

// The value of `key` in a memory.stat ("key value" lines).
std::optional<int64_t> memory_stat_value(std::string_view memory_stat, std::string_view key);

// daemon.cgroup.memory: the working set, usage minus the inactive file cache, as kubelet and
// cAdvisor count a container (v1 memory.usage_in_bytes − total_inactive_file, v2
// memory.current − inactive_file). Page cache the kernel can drop at will is no leak: a daemon
// writing its database grows it without bound until memory is short. What stays in: anonymous
// memory, shmem and memfds, active file pages, kernel memory charged to the cgroup. Clamped at 0.
int64_t cgroup_working_set(int64_t usage, std::string_view memory_stat, bool v2);

}  // namespace leakgate
