// The profilers of one run (--profile heap, client-heap): when each dumps, and what it found.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "profile/client_heap_profile.h"
#include "profile/heap_profile.h"

namespace leakgate {

// The moments the harness's own heap is profiled at.
enum class ClientHeapStep { kStart, kBaseline, kFinal };

// What the profilers left after the run: the heap diffs and the files to keep beside the page.
struct ProfileResults {
  std::optional<HeapGrowth> heap_growth;         // --profile heap
  std::optional<HeapGrowth> client_heap_growth;  // --profile client-heap
  std::vector<std::string> files;                // the diffs' and a wrapper profiler's
};

// Each call that can fail returns the warning for the run's record, nullopt when it did not.
class RunProfilers {
 public:
  void enable(const std::filesystem::path& workdir, bool daemon_heap, bool client_heap);

  // The daemon's environment for gperftools' heap profiler.
  void add_environment(std::map<std::string, std::string>& env) const;
  std::optional<std::string> dump_daemon_baseline(pid_t pid);
  std::optional<std::string> dump_daemon_final(pid_t pid);

  // One note for the first client step that fails (the later ones are moot); diff() reports
  // it as client_heap_growth_error. `when`: "at the start", "at the baseline", ...
  std::optional<std::string> client_heap(ClientHeapStep step, const std::string& when);
  void stop_client_heap();

  // After the daemon stopped: the diffs (the daemon's only when it was started), announced
  // through `phase`, and what a wrapper profiler wrote to `workdir`.
  ProfileResults collect(const std::filesystem::path& workdir, bool daemon_started,
                         const std::function<void(const std::string&)>& phase);

 private:
  std::unique_ptr<HeapProfiler> daemon_heap_;
  std::unique_ptr<ClientHeapProfiler> client_heap_;
};

}  // namespace leakgate
