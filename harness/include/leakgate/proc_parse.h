// Pure parsers for /proc text: string_view in, value out; nullopt when malformed.
// The real /proc is read by ProcessProbe; these are unit-tested on fixture strings.
#pragma once

#include <cstdint>
#include <optional>
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
