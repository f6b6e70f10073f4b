#include "profile/heap_profile.h"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "profile/heap_profile_file.h"
#include "profile/helper_commands.h"
#include "profile/pc_symbolizer.h"
#include "spawn/daemon_preload.h"

namespace leakgate {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPrefix = "heap";  // <workdir>/heap.NNNN.heap
constexpr size_t kMaxSites = 25;

std::set<std::string> profile_names(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(std::string(kPrefix) + ".", 0) == 0 && entry.path().extension() == ".heap") {
      names.insert(name);
    }
  }
  return names;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// gperftools writes a profile with one write() after an O_TRUNC open, the process maps last.
bool looks_complete(const std::string& text) {
  return !text.empty() && text.back() == '\n' &&
         text.find("\nMAPPED_LIBRARIES:\n") != std::string::npos;
}

std::string pprof_program() {
  const char* env = std::getenv("LEAKGATE_PPROF");
  return env != nullptr && *env != '\0' ? env : "google-pprof";
}

// The profiled executable and the modules where some changed stack allocated. The other
// modules hold outer frames only (start_thread, __libc_start_main): "module+0xoffset" names
// them well enough and spares addr2line its slowest work (libc with separate debug info
// alone takes ~170 ms).
std::set<std::string> modules_worth_naming(const std::set<HeapStack>& changed,
                                           const HeapProfileFile& profile,
                                           const fs::path& executable) {
  std::set<std::string> modules = {executable.string()};
  for (const auto& stack : changed) {
    if (const CodeMapping* leaf = mapping_of(profile.code, stack.front() - 1)) {
      modules.insert(leaf->path);
    }
  }
  return modules;
}

}  // namespace

int heap_profile_signal() { return SIGRTMIN + 6; }

HeapProfiler::HeapProfiler(std::filesystem::path workdir) : workdir_(std::move(workdir)) {}

void HeapProfiler::add_environment(std::map<std::string, std::string>& env) const {
  env["HEAPPROFILE"] = (workdir_ / kPrefix).string();
  env["HEAPPROFILESIGNAL"] = std::to_string(heap_profile_signal());
  // Only the dumps we ask for: no dump per GiB allocated or per 100 MiB of new high water.
  env["HEAP_PROFILE_ALLOCATION_INTERVAL"] = "0";
  env["HEAP_PROFILE_INUSE_INTERVAL"] = "0";
  add_ld_preload(env, kTcmallocLibrary);
}

bool HeapProfiler::dump(pid_t pid, std::filesystem::path& into) {
  if (profiled_pid_ == 0) {
    profiled_pid_ = pid;
    std::error_code ec;
    executable_ = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  } else if (pid != profiled_pid_) {
    error_ = "the daemon restarted after the baseline: its profiles cannot be compared";
    return false;
  }
  const std::set<std::string> before = profile_names(workdir_);
  const auto start = Clock::now();
  auto last_signal = start - std::chrono::seconds(1);
  std::string pending;  // the newest new profile, and its text at the previous look
  std::string pending_text;
  while (Clock::now() - start < std::chrono::seconds(10)) {
    // The profiler's handler gives up when its lock is busy (a malloc in flight): ask again.
    if (pending.empty() && Clock::now() - last_signal > std::chrono::milliseconds(500)) {
      if (kill(pid, heap_profile_signal()) != 0) {
        error_ = "the daemon is gone: no heap profile";
        return false;
      }
      last_signal = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
    std::string newest;
    for (const auto& name : profile_names(workdir_)) {
      if (before.count(name) == 0) newest = name;  // names sort by their sequence number
    }
    if (newest.empty()) continue;
    std::string text = read_file(workdir_ / newest);
    if (newest == pending && text == pending_text && looks_complete(text)) {
      into = workdir_ / newest;
      return true;
    }
    pending = newest;
    pending_text = std::move(text);
  }
  error_ = "no heap profile within 10 s (does the daemon run on libtcmalloc?)";
  return false;
}

HeapGrowth diff_heap_profiles(const fs::path& baseline, const fs::path& final_dump,
                              const fs::path& executable, const fs::path& workdir,
                              const std::string& name) {
  HeapGrowth growth;
  const auto base = parse_heap_profile(read_file(baseline));
  const auto final = parse_heap_profile(read_file(final_dump));
  if (!base || !final) {
    growth.error = "cannot read the heap profiles " + baseline.filename().string() + " and " +
                   final_dump.filename().string();
    return growth;
  }
  const std::set<HeapStack> changed = changed_stacks(*base, *final);
  growth.total_bytes = 0;
  if (changed.empty()) return growth;  // nothing grew or shrank: no site to name

  // pprof on symbolized copies that hold only the changed stacks: no nm over every library.
  const auto symbols =
      symbolize_addresses(call_addresses(changed), final->code,
                          modules_worth_naming(changed, *final, executable), workdir);
  const fs::path base_file = workdir / (name + "-base.sym");
  const fs::path final_file = workdir / (name + "-final.sym");
  if (!write_file(base_file, symbolized_heap_profile(*base, changed, symbols, executable)) ||
      !write_file(final_file, symbolized_heap_profile(*final, changed, symbols, executable))) {
    growth.error = "cannot write the symbolized heap profiles into " + workdir.string();
    return growth;
  }
  const std::string pprof = pprof_program();
  auto command = [&](std::vector<std::string> options) {
    std::vector<std::string> argv = {pprof};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--base=" + base_file.string());
    argv.push_back(final_file.string());
    return argv;
  };
  growth.text_file = name + "-growth.txt";
  const std::string objects_file = name + "-growth.objects.txt";
  const std::string svg_file = name + "-growth.svg";
  const std::vector<pid_t> tables = {
      start_helper(command({"--text", "--inuse_space", "--show_bytes"}),
                   workdir / growth.text_file),
      start_helper(command({"--text", "--inuse_objects"}), workdir / objects_file)};
  pid_t svg = -1;
  if (helper_available("dot")) {
    svg = start_helper(command({"--svg", "--inuse_space"}), workdir / svg_file);
  }
  if (!wait_helpers(tables, std::chrono::seconds(120))) {
    growth.error = pprof + " failed on " + final_file.filename().string();
  }
  if (svg >= 0 && wait_helpers({svg}, std::chrono::seconds(120))) growth.svg_file = svg_file;
  const PprofTable bytes = parse_pprof_text(read_file(workdir / growth.text_file));
  const PprofTable objects = parse_pprof_text(read_file(workdir / objects_file));
  growth.total_bytes = bytes.total.value_or(0);
  growth.sites = heap_growth_sites(bytes, objects, kMaxSites);
  return growth;
}

HeapGrowth HeapProfiler::diff() const {
  if (baseline_.empty() || final_.empty()) {
    HeapGrowth growth;
    growth.error = error_.empty() ? "no heap profiles were taken" : error_;
    return growth;
  }
  return diff_heap_profiles(baseline_, final_, executable_, workdir_, kPrefix);
}

void add_heap_growth_json(nlohmann::json& attribution, const HeapGrowth& growth,
                          const std::string& key) {
  nlohmann::json sites = nlohmann::json::array();
  for (const auto& site : growth.sites) {
    sites.push_back(
        {{"function", site.function}, {"bytes", site.bytes}, {"objects", site.objects}});
  }
  attribution[key] = std::move(sites);
  attribution[key + "_total"] =
      growth.total_bytes ? nlohmann::json(*growth.total_bytes) : nlohmann::json(nullptr);
  attribution[key + "_svg"] =
      growth.svg_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(growth.svg_file);
  if (!growth.error.empty()) attribution[key + "_error"] = growth.error;
}

}  // namespace leakgate
