// The cgroup discovery parsers on fixture text: this machine's hybrid layout (v1 controllers,
// an empty cgroup2), a pure v2 machine, a container's bind-mounted hierarchy, memory.stat.
#include "spawn/cgroup_layout.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

// /proc/self/mountinfo of a hybrid machine (v1 controllers, cgroup2 at unified), trimmed.
constexpr const char* kHybridMountinfo =
    "23 1 0:21 / / rw,relatime - overlay overlay rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime shared:9 - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
constexpr const char* kHybridCgroup =
    "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/9b5a\n1:cpu:/\n0::/\n";

TEST(CgroupLayout, ParsesOnlyCgroupMountsWithTheirOptions) {
  const auto mounts = parse_cgroup_mounts(kHybridMountinfo);
  ASSERT_EQ(mounts.size(), 5u);
  EXPECT_EQ(mounts[1].mount_point, "/sys/fs/cgroup/memory");
  EXPECT_FALSE(mounts[1].v2);
  EXPECT_EQ(mounts[1].options, (std::vector<std::string>{"rw", "memory"}));
  EXPECT_EQ(mounts[2].mount_point, "/sys/fs/cgroup/pids");  // past an optional field
  EXPECT_TRUE(mounts[4].v2);
}

TEST(CgroupLayout, ParsesProcSelfCgroupLines) {
  const auto lines = parse_proc_cgroup("8:pids,cpu:/a:b\n0::/user.slice\nbroken\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].controllers, (std::vector<std::string>{"pids", "cpu"}));
  EXPECT_EQ(lines[0].path, "/a:b");  // a path may hold ':'
  EXPECT_TRUE(lines[1].controllers.empty());
  EXPECT_EQ(lines[1].path, "/user.slice");
}

TEST(CgroupLayout, HybridMachineGivesV1DirsUnderOurOwnCgroup) {
  const auto dirs =
      own_cgroup_dirs(parse_cgroup_mounts(kHybridMountinfo), parse_proc_cgroup(kHybridCgroup));
  EXPECT_EQ(dirs.memory, "/sys/fs/cgroup/memory/process_api/9b5a");
  EXPECT_EQ(dirs.pids, "/sys/fs/cgroup/pids");
  EXPECT_EQ(dirs.unified, "/sys/fs/cgroup/unified");
}

TEST(CgroupLayout, UnifiedMachineGivesOnlyTheV2Dir) {
  const auto dirs = own_cgroup_dirs(
      parse_cgroup_mounts(
          "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"),
      parse_proc_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n"));
  EXPECT_EQ(dirs.unified, "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope");
  EXPECT_FALSE(dirs.memory);
  EXPECT_FALSE(dirs.pids);
}

TEST(CgroupLayout, ContainerMountOfItsOwnSubtreeIsStrippedAndOtherSubtreesAreNotGuessed) {
  const auto mounts = parse_cgroup_mounts(
      "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
      "39 31 0:36 /docker/abc /sys/fs/cgroup/pids ro - cgroup cgroup rw,pids\n");
  const auto dirs =
      own_cgroup_dirs(mounts, parse_proc_cgroup("5:memory:/docker/abc/sub\n4:pids:/other\n"));
  EXPECT_EQ(dirs.memory, "/sys/fs/cgroup/memory/sub");
  EXPECT_FALSE(dirs.pids);  // /other is not under the mounted /docker/abc
}

TEST(CgroupLayout, MountPointsWithEscapedSpacesAreUnescaped) {
  const auto mounts =
      parse_cgroup_mounts("41 31 0:38 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mount_point, "/mnt/my cgroup");
}

TEST(CgroupLayout, ControllerListsAreMatchedByWord) {
  EXPECT_TRUE(lists_controller("cpuset cpu io memory pids\n", "pids"));
  EXPECT_FALSE(lists_controller("cpuset cpu io hugetlb\n", "memory"));
  EXPECT_FALSE(lists_controller("memory_recursiveprot\n", "memory"));
  EXPECT_FALSE(lists_controller("", "pids"));
}

TEST(CgroupLayout, WorkingSetIsUsageMinusInactiveFileCache) {
  const char* v1 = "cache 8192\ninactive_file 4096\ntotal_cache 1000\ntotal_inactive_file 3000\n";
  EXPECT_EQ(memory_stat_value(v1, "inactive_file"), 4096);
  EXPECT_EQ(memory_stat_value(v1, "total_inactive_file"), 3000);
  EXPECT_FALSE(memory_stat_value(v1, "inactive"));
  EXPECT_EQ(cgroup_working_set(10000, v1, false), 7000);  // v1: the hierarchy's total_*
  EXPECT_EQ(cgroup_working_set(10000, "anon 9000\ninactive_file 2500\n", true), 7500);
  EXPECT_EQ(cgroup_working_set(1000, "inactive_file 2500\n", true), 0);  // never negative
  EXPECT_EQ(cgroup_working_set(1000, "", true), 1000);                   // no stat: usage
}

}  // namespace
}  // namespace leakgate
