// The daemon is its process tree: the spawned process (the root) and the live processes below
// it (workers, their children). Their /proc figures are summed into daemon.fds, .rss, .threads
// and the fds by type; each process's own figures are kept for result.json and the verdict.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "leakgate/process_probe.h"
#include "spawn/descendants.h"

namespace leakgate {

struct TreeProcessFigures {
  pid_t pid = -1;
  pid_t parent = -1;
  std::string name;  // comm; the command line at snapshots ("nginx: worker process")
  std::string role;  // "root" (the spawned process) or "worker"
  int64_t fds = 0;
  int64_t rss_bytes = 0;
  int64_t threads = 0;
};

// A worker's figures cost a probe (5 opens) each tick: at most this many are summed.
constexpr size_t kMaxSummedWorkers = 256;

// Samples every live worker (zombies hold nothing) and adds its figures to `total`, which
// holds the root's. Returns the figures of the root and of each worker still readable.
std::vector<TreeProcessFigures> add_workers(ProcessSample& total, pid_t root,
                                            const std::vector<TreeMember>& workers,
                                            const ProcessProbe::Options& options);

// Names each process by its command line where it has one (nginx sets "nginx: worker
// process"); a snapshot's cost, not a tick's.
void name_by_command_line(std::vector<TreeProcessFigures>& figures);

// The live members only (what add_workers samples).
std::vector<TreeMember> live_members(std::vector<TreeMember> members);

}  // namespace leakgate
