// Samples one process from /proc: fds (by type on demand), RSS, PSS (on demand), threads,
// children. Keeps /proc/PID and its fd, task, statm and stat open between samples (pread is
// ~6x cheaper than open/read; fds opened once are tied to that process, not a reused pid).
// Not thread-safe: the kept directory fd has one offset. Use one probe per sampling thread.
// Probing the own process (getpid()) does not count the probe's own kept-open fds.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "leakgate/unique_fd.h"

namespace leakgate {

enum class FdType { kSocket, kPipe, kFile, kAnon, kOther };
const char* to_string(FdType type);

struct FdInfo {
  int fd = -1;
  FdType type = FdType::kOther;
  std::string target;  // readlink of /proc/PID/fd/N
  pid_t pid = -1;      // the process holding it (a daemon's tree has several)
};

struct FdCounts {
  int64_t total = 0, socket = 0, pipe = 0, file = 0, anon = 0, other = 0;
};

struct ProcessSample {
  int64_t fds = 0;
  std::optional<FdCounts> fds_by_type;  // only when asked to classify
  int64_t rss_bytes = 0;
  int64_t threads = 0;
  int64_t children = 0;
  std::optional<int64_t> pss_bytes;  // only when asked
};

class ProbeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProcessProbe {
 public:
  // Throws ProbeError naming the pid: "no such process" or "permission denied".
  explicit ProcessProbe(pid_t pid);
  ~ProcessProbe();
  ProcessProbe(const ProcessProbe&) = delete;
  ProcessProbe& operator=(const ProcessProbe&) = delete;
  ProcessProbe(ProcessProbe&& other) noexcept;
  ProcessProbe& operator=(ProcessProbe&& other) noexcept;

  pid_t pid() const { return pid_; }
  static constexpr int kKeptFds = 5;  // fds a probe holds open (seen when probing self)

  // Hot path: no throw; nullopt when the process is gone or unreadable.
  std::optional<int64_t> fd_count() const;
  std::optional<FdCounts> fd_counts_by_type() const;
  std::optional<std::vector<FdInfo>> list_fds() const;
  std::optional<int64_t> rss_bytes() const;
  std::optional<int64_t> pss_bytes() const;
  // fstat of the kept /proc/PID/task: its link count is 2 + threads (proc_task_getattr),
  // ~10x cheaper than pread of stat; stat's num_threads (field 20) when that reads 0.
  std::optional<int64_t> threads() const;
  std::optional<int64_t> children() const;  // direct children (task/*/children, else ppid scan)
  struct Options {
    bool classify_fds = false;
    bool pss = false;
    bool children = true;  // a directory walk per thread: skip it when not budgeted
  };
  std::optional<ProcessSample> sample(Options options) const;
  std::optional<ProcessSample> sample() const { return sample(Options{}); }

 private:
  bool is_own_fd(const char* name) const;
  template <class Fn>
  bool for_each_fd(Fn&& fn) const;
  std::optional<int64_t> children_by_ppid_scan() const;

  pid_t pid_ = -1;
  bool self_ = false;
  UniqueFd proc_dir_;  // /proc/PID: later opens go through it, so a reused pid fails
  UniqueFd statm_fd_;
  UniqueFd stat_fd_;
  UniqueFd fd_dir_fd_;
  UniqueFd task_dir_;
};

// utime + stime of a live process in seconds (all its threads, exited ones too); nullopt once
// it is gone. scripts/bench compares it with and without sampling: the harness's cost.
std::optional<double> process_cpu_seconds(pid_t pid);

}  // namespace leakgate
