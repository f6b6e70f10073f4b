#include "profile/client_heap_profile.h"

#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <memory>

namespace leakgate {
namespace {

namespace fs = std::filesystem;

constexpr const char* kName = "client-heap";  // <workdir>/client-heap.base.heap, client-heap-*

// gperftools' C API (<gperftools/heap-profiler.h>), looked up at run time: the same objects
// link into leakgate (tcmalloc) and leakgate-system-malloc (no profiler).
struct HeapProfilerApi {
  void (*start)(const char* prefix) = nullptr;
  void (*stop)() = nullptr;
  int (*running)() = nullptr;
  char* (*profile)() = nullptr;  // malloc'd text of a dump

  bool complete() const {
    return start != nullptr && stop != nullptr && running != nullptr && profile != nullptr;
  }
};

const HeapProfilerApi& api() {
  static const HeapProfilerApi resolved = [] {
    HeapProfilerApi found;
    found.start = reinterpret_cast<void (*)(const char*)>(dlsym(RTLD_DEFAULT, "HeapProfilerStart"));
    found.stop = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "HeapProfilerStop"));
    found.running = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "IsHeapProfilerRunning"));
    found.profile = reinterpret_cast<char* (*)()>(dlsym(RTLD_DEFAULT, "GetHeapProfile"));
    return found;
  }();
  return resolved;
}

}  // namespace

ClientHeapProfiler::ClientHeapProfiler(fs::path workdir)
    : workdir_(std::move(workdir)),
      baseline_(workdir_ / (std::string(kName) + ".base.heap")),
      final_(workdir_ / (std::string(kName) + ".final.heap")) {}

ClientHeapProfiler::~ClientHeapProfiler() { stop(); }

bool ClientHeapProfiler::start() {
  if (!api().complete()) {
    error_ =
        "this harness has no heap profiler (gperftools' HeapProfilerStart not found: "
        "leakgate-system-malloc or a build without LEAKGATE_WITH_TCMALLOC; run leakgate, or "
        "preload libtcmalloc.so.4)";
    return false;
  }
  // Started elsewhere (HEAPPROFILE set for the harness): use it, leave it to its owner.
  if (api().running() != 0) return true;
  api().start((workdir_ / kName).c_str());
  started_ = api().running() != 0;
  if (!started_) error_ = "HeapProfilerStart did not start the heap profiler";
  return started_;
}

void ClientHeapProfiler::stop() {
  if (started_ && api().running() != 0) api().stop();
  started_ = false;
}

// GetHeapProfile() is what HeapProfilerDump() writes, without the dump's stderr line and its
// own numbering: the file name is ours.
bool ClientHeapProfiler::dump(const fs::path& file, bool& written) {
  if (!api().complete() || api().running() == 0) {
    if (error_.empty()) error_ = "the heap profiler is not running";
    return false;
  }
  const std::unique_ptr<char, decltype(&std::free)> text(api().profile(), &std::free);
  const std::string_view profile = text ? std::string_view(text.get()) : std::string_view();
  // A profile larger than gperftools' 1 MiB buffer is cut before its process maps.
  if (profile.find("\nMAPPED_LIBRARIES:\n") == std::string_view::npos) {
    error_ = "the heap profile is empty or truncated (no process maps)";
    return false;
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << profile;
  if (!out) {
    error_ = "cannot write " + file.string();
    return false;
  }
  written = true;
  return true;
}

HeapGrowth ClientHeapProfiler::diff() const {
  if (!have_baseline_ || !have_final_) {
    HeapGrowth growth;
    growth.error = error_.empty() ? "no heap profiles were taken" : error_;
    return growth;
  }
  std::error_code ec;
  const fs::path executable = fs::read_symlink("/proc/self/exe", ec);
  return diff_heap_profiles(baseline_, final_, executable, workdir_, kName);
}

}  // namespace leakgate
