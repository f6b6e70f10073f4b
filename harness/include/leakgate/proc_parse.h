// Pure parsers for /proc text: string_view in, value out; nullopt when malformed.
// The real /proc is read by ProcessProbe; these are unit-tested on fixture strings.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "leakgate/process_probe.h"

namespace leakgate {

// /proc/PID/statm: "size resident shared text lib data dt" (pages) → resident pages.
std::optional<int64_t> parse_statm_resident_pages(std::string_view statm);

// /proc/PID/stat fields after "(comm)", which may itself contain spaces and parentheses.
std::optional<int64_t> parse_stat_ppid(std::string_view stat);         // field 4
std::optional<int64_t> parse_stat_num_threads(std::string_view stat);  // field 20
// utime + stime (fields 14 and 15) in clock ticks (sysconf(_SC_CLK_TCK)): all threads,
// including exited ones.
std::optional<int64_t> parse_stat_cpu_ticks(std::string_view stat);

// /proc/PID/stat's fields a process tree needs (spawn/descendants.h).
struct StatFields {
  std::string comm;  // field 2, without its parentheses
  char state = '?';  // R S D Z X ...
  pid_t ppid = -1;
  pid_t pgrp = -1;
  uint64_t flags = 0;       // field 9 (PF_EXITING = 0x4)
  int64_t threads = 0;      // field 20
  uint64_t start_time = 0;  // field 22, clock ticks since boot
};
std::optional<StatFields> parse_stat_fields(std::string_view stat);
// /proc/PID/cmdline: NULs to spaces, trailing ones dropped.
std::string join_cmdline(std::string_view cmdline);
// /proc/PID/environ: whether it holds an exact NAME=VALUE entry.
bool environ_has(std::string_view environ, std::string_view entry);
// /proc/PID/status: true when SIGKILL is pending (SigPnd or ShdPnd has bit 9).
bool status_kill_pending(std::string_view status);


// /proc/PID/status "Threads:\tN" line.
std::optional<int64_t> parse_status_threads(std::string_view status);

// /proc/PID/status signal mask lines ("SigCgt", "SigPnd", "ShdPnd", ...): hex → bits, bit
// (signo - 1) set when the signal is in the set.
std::optional<uint64_t> parse_status_signal_mask(std::string_view status, std::string_view key);

// /proc/PID/smaps_rollup "Pss:  N kB" line → bytes.
std::optional<int64_t> parse_smaps_rollup_pss_bytes(std::string_view smaps_rollup);

// /proc/PID/task/TID/children: space-separated pids → how many.
int64_t count_pid_list(std::string_view children);

// readlink of /proc/PID/fd/N: socket:[ino], pipe:[ino], anon_inode:..., /memfd:... → anon,
// any other absolute path (including " (deleted)" ones and devices) → file, else other.
FdType classify_fd_target(std::string_view target);

}  // namespace leakgate
