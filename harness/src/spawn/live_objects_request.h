// The live-object dump of a running daemon, written next to its counter file: the preload
// library writes it when asked on its dump channel (preload/dump_channel_layout.h: no signal,
// no fd in the daemon); a daemon linking the accounting library itself when sent SIGUSR2.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leakgate/daemon_process.h"

namespace leakgate {

// Asks the preload library in `pid` on its dump channel ("<counter_path>.dump") and waits for
// the answer (up to `timeout`: symbolizing runs addr2line). nullopt when no channel served by
// `pid` exists, the process is gone, or no answer came in time.
std::optional<std::string> request_preload_dump(pid_t pid, const std::string& counter_path,
                                                std::chrono::milliseconds timeout);

// The daemon's dump as JSON: on the preload library's channel when it has one, else by
// SIGUSR2 (only to a daemon whose counter file says, and whose /proc entry confirms, that it
// catches it). Null when the daemon publishes no counter file or no dump came.
nlohmann::json request_daemon_live_objects(DaemonProcess& daemon, const std::string& counter_path);

// A process of the daemon's tree other than the daemon: its pid and command line.
struct TreeProcess {
  pid_t pid = -1;
  std::string name;  // "nginx: worker process"
};

// How verdicts name a worker: "worker 4711 (nginx: worker process)".
std::string worker_label(pid_t pid, const std::string& name);

// Adds a worker's dump to the daemon's (null: none came), each of its live-object groups and
// heap sites marked "process": `label` (judge/attribution.h names the site with it). Pure.
void merge_worker_dump(nlohmann::json& into, const nlohmann::json& worker, const std::string& label);

struct TreeLiveObjects {
  nlohmann::json dump;                // the merged dump; null when no process answered
  std::vector<std::string> warnings;  // a worker whose channel did not answer in time
};

// The daemon's dump and that of every process in `workers` that serves a dump channel of its
// own (preload/dump_channel_layout.h: a forked worker), merged. Workers gone by now, or that
// never started a channel (an exec'd helper), are skipped; one that does not answer within
// `worker_timeout` is a warning naming its pid, never a hang.
TreeLiveObjects request_tree_live_objects(DaemonProcess& daemon, const std::string& counter_path,
                                          const std::vector<TreeProcess>& workers,
                                          std::chrono::milliseconds worker_timeout);

}  // namespace leakgate
