#include "spawn/cgroup_layout.h"

#include <algorithm>
#include <charconv>

namespace leakgate {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  for (std::string_view line : split(text, '\n'))
    if (!line.empty()) fn(line);
}

// mountinfo escapes space, tab, newline and backslash in paths as \040 and the like.
std::string unescape_octal(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    const bool octal = field[i] == '\\' && i + 3 < field.size() &&
                       std::all_of(field.begin() + static_cast<long>(i) + 1,
                                   field.begin() + static_cast<long>(i) + 4,
                                   [](char c) { return c >= '0' && c <= '7'; });
    if (octal) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                               (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

// The part of `path` below the mount's `root`, or nullopt when the mount does not show it.
std::optional<std::string> below_root(std::string_view root, std::string_view path) {
  if (root == "/") return std::string(path);
  if (path == root) return std::string("/");
  if (path.starts_with(root) && path[root.size()] == '/')
    return std::string(path.substr(root.size()));
  return std::nullopt;
}

std::string join(const std::string& mount_point, const std::string& relative) {
  return relative == "/" ? mount_point : mount_point + relative;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for_each_line(mountinfo, [&](std::string_view line) {
    // id parent major:minor root mount_point options [optional...] - fstype source super
    const std::vector<std::string_view> fields = split(line, ' ');
    const auto dash = std::find(fields.begin(), fields.end(), std::string_view("-"));
    if (fields.size() < 7 || dash == fields.end() || fields.end() - dash < 4) return;
    const std::string_view fstype = dash[1];
    if (fstype != "cgroup" && fstype != "cgroup2") return;
    CgroupMount mount;
    mount.root = unescape_octal(fields[3]);
    mount.mount_point = unescape_octal(fields[4]);
    mount.v2 = fstype == "cgroup2";
    for (std::string_view option : split(dash[3], ',')) mount.options.emplace_back(option);
    mounts.push_back(std::move(mount));
  });
  return mounts;
}

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupMembership> memberships;
  for_each_line(text, [&](std::string_view line) {
    // hierarchy-id:controller-list:path; the path may itself hold ':'.
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) return;
    CgroupMembership membership;
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    if (!controllers.empty())
      for (std::string_view name : split(controllers, ','))
        membership.controllers.emplace_back(name);
    membership.path = std::string(line.substr(second + 1));
    if (membership.path.empty() || membership.path.front() != '/') return;
    memberships.push_back(std::move(membership));
  });
  return memberships;
}

CgroupDirs own_cgroup_dirs(const std::vector<CgroupMount>& mounts,
                           const std::vector<CgroupMembership>& memberships) {
  CgroupDirs dirs;
  for (const CgroupMembership& membership : memberships) {
    for (const CgroupMount& mount : mounts) {
      const bool matches =
          membership.controllers.empty()
              ? mount.v2
              : !mount.v2 &&
                    std::all_of(membership.controllers.begin(), membership.controllers.end(),
                                [&](const std::string& c) { return has(mount.options, c); });
      if (!matches) continue;
      const auto relative = below_root(mount.root, membership.path);
      if (!relative) continue;  // a bind mount of another part of the hierarchy
      const std::string dir = join(mount.mount_point, *relative);
      if (membership.controllers.empty() && !dirs.unified) dirs.unified = dir;
      if (has(membership.controllers, "memory") && !dirs.memory) dirs.memory = dir;
      if (has(membership.controllers, "pids") && !dirs.pids) dirs.pids = dir;
    }
  }
  return dirs;
}

bool lists_controller(std::string_view list, std::string_view controller) {
  for (std::string_view line : split(list, '\n'))
    for (std::string_view word : split(line, ' '))
      if (word == controller) return true;
  return false;
}

std::optional<int64_t> memory_stat_value(std::string_view memory_stat, std::string_view key) {
  std::optional<int64_t> found;
  for_each_line(memory_stat, [&](std::string_view line) {
    if (found || !line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ' ')
      return;
    const std::string_view number = line.substr(key.size() + 1);
    int64_t value = 0;
    if (std::from_chars(number.data(), number.data() + number.size(), value).ec == std::errc{})
      found = value;
  });
  return found;
}

int64_t cgroup_working_set(int64_t usage, std::string_view memory_stat, bool v2) {
  // v1's plain keys are this cgroup's own pages; total_* include its children (the daemon may
  // make sub-cgroups of its own), as v2's keys always do.
  const int64_t inactive_file =
      memory_stat_value(memory_stat, v2 ? "inactive_file" : "total_inactive_file").value_or(0);
  return std::max<int64_t>(0, usage - inactive_file);
}

}  // namespace leakgate
