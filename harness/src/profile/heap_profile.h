// `leakgate run --profile heap`: the daemon runs under gperftools' heap profiler, dumps a
// profile at the baseline and at the final snapshot (on a signal), and after the stop
// google-pprof diffs the two into the allocation sites that grew (on symbolized copies of
// the stacks that changed: heap_profile_file.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "profile/pprof_text.h"

namespace leakgate {

// What the diff of the two dumps found.
struct HeapGrowth {
  std::vector<HeapGrowthSite> sites;  // largest growth first
  std::optional<double> total_bytes;  // net growth of the whole profiled heap
  std::string svg_file;               // call graph in the work directory, "" if not drawn
  std::string text_file;              // pprof's --text output in the work directory
  std::string error;                  // why there is no diff; "" when there is one
};

// Diffs two gperftools heap profiles of one process whose executable is `executable`: the
// stacks that changed are symbolized (heap_profile_file.h) and google-pprof runs on them (in
// parallel: text by bytes, text by objects, SVG call graph when graphviz is installed). Its
// files go to `workdir`, named after `name`: <name>-base.sym, <name>-final.sym,
// <name>-growth.txt, <name>-growth.objects.txt, <name>-growth.svg. Profiles that did not
// change at all give no sites without running pprof.
HeapGrowth diff_heap_profiles(const std::filesystem::path& baseline,
                              const std::filesystem::path& final,
                              const std::filesystem::path& executable,
                              const std::filesystem::path& workdir, const std::string& name);

class HeapProfiler {
 public:
  explicit HeapProfiler(std::filesystem::path workdir);

  // HEAPPROFILE, HEAPPROFILESIGNAL, no interval dumps, and libtcmalloc preloaded (a daemon
  // that links it already loads the same file once: preloading is harmless).
  void add_environment(std::map<std::string, std::string>& env) const;

  // Signals the daemon and waits until its new profile is complete. False (with a reason in
  // error()) when no dump came: the daemon does not run the profiler, or it is gone.
  bool dump_baseline(pid_t pid) { return dump(pid, baseline_); }
  bool dump_final(pid_t pid) { return dump(pid, final_); }

  // diff_heap_profiles() of the two dumps (files named heap-*). Call after the daemon stopped.
  HeapGrowth diff() const;

  const std::string& error() const { return error_; }

 private:
  bool dump(pid_t pid, std::filesystem::path& into);
  std::filesystem::path workdir_;
  pid_t profiled_pid_ = 0;            // the daemon of the baseline dump
  std::filesystem::path executable_;  // its /proc/PID/exe, named in the symbolized profiles
  std::filesystem::path baseline_;
  std::filesystem::path final_;
  std::string error_;
};

// The signal that asks for a dump: SIGRTMIN+6 (trackerd takes SIGUSR2 for live-object dumps,
// scenarios send SIGUSR1/SIGHUP, TERM/INT stop it).
int heap_profile_signal();

// Adds attribution.<key> (and <key>_total, <key>_svg, <key>_error) to result.json:
// "heap_growth" for the daemon, "client_heap_growth" for the harness process.
void add_heap_growth_json(nlohmann::json& attribution, const HeapGrowth& growth,
                          const std::string& key = "heap_growth");

}  // namespace leakgate
