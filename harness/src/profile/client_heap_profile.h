// `leakgate run --profile client-heap`: the harness process itself — where client steps run —
// under gperftools' heap profiler, with a profile taken at the baseline and at the final
// snapshot and diffed like the daemon's (heap_profile.h).
//
// The profiler is found with dlsym: `leakgate` links libtcmalloc (which holds it),
// `leakgate-system-malloc` does not, and there start() fails with a reason instead.
#pragma once

#include <filesystem>
#include <string>

#include "profile/heap_profile.h"

namespace leakgate {

class ClientHeapProfiler {
 public:
  explicit ClientHeapProfiler(std::filesystem::path workdir);
  ~ClientHeapProfiler();  // stops the profiler if this object started it
  ClientHeapProfiler(const ClientHeapProfiler&) = delete;
  ClientHeapProfiler& operator=(const ClientHeapProfiler&) = delete;

  // HeapProfilerStart(<workdir>/client-heap). False (reason in error()) when this process has
  // no heap profiler. Allocations made before the start are invisible to both profiles.
  bool start();

  // Writes the profile of what is in use now to <workdir>/client-heap.{base,final}.heap.
  bool dump_baseline() { return dump(baseline_, have_baseline_); }
  bool dump_final() { return dump(final_, have_final_); }

  // Stops recording (the profiles are taken): the rest of the run pays no profiling cost.
  void stop();

  // diff_heap_profiles() of the two profiles against /proc/self/exe (files client-heap-*).
  HeapGrowth diff() const;

  const std::string& error() const { return error_; }

 private:
  bool dump(const std::filesystem::path& file, bool& written);
  std::filesystem::path workdir_;
  // Named before the start: the profiler's own bookkeeping is no growth site.
  std::filesystem::path baseline_;
  std::filesystem::path final_;
  bool have_baseline_ = false;
  bool have_final_ = false;
  bool started_ = false;  // by us: a profiler started elsewhere (HEAPPROFILE) is left running
  std::string error_;
};

}  // namespace leakgate
