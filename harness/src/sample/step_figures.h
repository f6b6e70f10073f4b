// The cheap figures the runner reads after every step of a measured iteration, to attribute
// growth to steps (judge/step_attribution.h): the daemon's fds by count, threads, counted
// objects and exact heap (counter file); the harness's own fds, threads and counted objects.
// Its own probes and counter-file mapping, so the runner never waits for the sampler thread's
// lock (held by an idle-priority thread, that wait could last a scheduler slice). No fd
// classification, no RSS (page faults move it without a leak), no scrape, no children (a /proc
// walk per thread: ~100 us). Not thread-safe: one per runner.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "leakgate/counter_file.h"
#include "leakgate/process_probe.h"
#include "sample/timeline.h"

namespace leakgate {

class StepFigures {
 public:
  // `counter_path`: the daemon's counter file, "" when it has none.
  StepFigures(pid_t daemon_pid, std::string counter_path);
  pid_t daemon_pid() const { return daemon_pid_; }
  // Every figure that could be read; a daemon that is gone has none.
  Frame read();

 private:
  pid_t daemon_pid_;
  std::optional<ProcessProbe> daemon_;
  std::optional<ProcessProbe> self_;
  std::string counter_path_;
  std::optional<CounterFileReader> counters_;
  std::vector<std::string> kind_metrics_;  // "daemon.<kind>" by counter-file index
};

}  // namespace leakgate
