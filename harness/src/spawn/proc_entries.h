// A process's /proc entries as the descendant tracker reads them: whole small files, the
// stat fields, the environment marker, and the children of a process and of /proc.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leakgate/proc_parse.h"

namespace leakgate::dtree {

inline constexpr uint64_t kPfExiting = 0x4;  // include/linux/sched.h

// The whole of a small /proc file (at most `limit` bytes); nullopt when it cannot be opened.
std::optional<std::string> read_proc(const std::string& path, size_t limit = 65536);
std::string proc_path(pid_t pid, const char* name);
std::optional<StatFields> read_stat(pid_t pid);
bool is_dead(const StatFields& stat);
// Whether the process's environment holds `entry`; nullopt when it cannot tell (gone, or in
// the middle of an exec, when environ reads empty for a moment).
std::optional<bool> carries(pid_t pid, const std::string& entry);

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

}  // namespace leakgate::dtree
