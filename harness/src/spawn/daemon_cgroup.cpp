#include "spawn/daemon_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <thread>

#include "spawn/cgroup_layout.h"
#include "spawn/proc_entries.h"

namespace leakgate {
namespace {

using Clock = std::chrono::steady_clock;

std::string read_small(const std::string& path) {
  return dtree::read_proc(path).value_or(std::string());
}

std::string read_fd(int fd) {
  char buffer[8192];
  const ssize_t got = fd < 0 ? -1 : ::pread(fd, buffer, sizeof buffer, 0);
  return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : std::string();
}

std::optional<int64_t> number(std::string_view text) {
  int64_t value = 0;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{} ||
      text.empty())
    return std::nullopt;
  return value;
}

std::vector<pid_t> read_procs(const std::string& dir) {
  std::vector<pid_t> pids;
  dtree::for_each_pid(read_small(dir + "/cgroup.procs"), [&](pid_t pid) { pids.push_back(pid); });
  return pids;
}

// Scenario names hold dots and may hold anything else: keep a directory name one word.
std::string dir_word(const std::string& scenario) {
  std::string word;
  for (char c : scenario)
    word +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  return word.substr(0, 100);
}

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Where to make the cgroup, or why nowhere: v2 when its controllers can be had, else v1.
struct Placement {
  bool v2 = false;
  std::vector<std::string> parents;
  std::string why_not;
};

Placement place() {
  const auto mounts = parse_cgroup_mounts(read_small("/proc/self/mountinfo"));
  const auto dirs = own_cgroup_dirs(mounts, parse_proc_cgroup(read_small("/proc/self/cgroup")));
  std::string v2_reason;
  if (dirs.unified) {
    const std::string& dir = *dirs.unified;
    const std::string offered = read_small(dir + "/cgroup.controllers");
    std::string enabled = read_small(dir + "/cgroup.subtree_control");
    const auto both = [](const std::string& list) {
      return lists_controller(list, "memory") && lists_controller(list, "pids");
    };
    if (both(offered) && !both(enabled)) {
      // Refused (EBUSY) where our own cgroup holds processes: v2 allows no process in a
      // cgroup that hands controllers to its children, except at the root.
      const int fd = ::open((dir + "/cgroup.subtree_control").c_str(), O_WRONLY | O_CLOEXEC);
      if (fd >= 0) {
        const bool ok = ::write(fd, "+memory +pids", 13) == 13;
        const int err = errno;
        ::close(fd);
        errno = err;
        if (!ok) v2_reason = errno_text("cgroup v2: cannot enable memory and pids in", dir);
      } else {
        v2_reason = errno_text("cgroup v2: cannot open", dir + "/cgroup.subtree_control");
      }
      enabled = read_small(dir + "/cgroup.subtree_control");
    } else if (!both(offered)) {
      v2_reason = "cgroup v2 at " + dir + " offers no memory and pids controllers";
    }
    if (both(enabled)) return {true, {dir}, {}};
  }
  if (dirs.memory && dirs.pids) return {false, {*dirs.memory, *dirs.pids}, {}};
  Placement none;
  none.why_not = !v2_reason.empty() ? v2_reason + ", and no cgroup v1 memory and pids"
                 : dirs.memory || dirs.pids
                     ? "cgroup v1 has no " + std::string(dirs.memory ? "pids" : "memory") +
                           " controller mounted"
                     : "no cgroup filesystem with memory and pids controllers";
  return none;
}

}  // namespace

std::unique_ptr<DaemonCgroup> DaemonCgroup::create(const std::string& scenario,
                                                   std::string& why_not) {
  const Placement placement = place();
  if (placement.parents.empty()) {
    why_not = placement.why_not;
    return nullptr;
  }
  std::unique_ptr<DaemonCgroup> cgroup(new DaemonCgroup);
  cgroup->v2_ = placement.v2;
  const std::string suffix = "-" + std::to_string(getpid());
  for (const std::string& parent : placement.parents) remove_stale_cgroups(parent);
  for (int attempt = 0; attempt < 100 && cgroup->dirs_.empty(); ++attempt) {
    // A second cgroup of the same process (LeakTest runs several tests) takes a number.
    const std::string name =
        "leakgate-" + dir_word(scenario) + (attempt ? "." + std::to_string(attempt) : "") + suffix;
    for (const std::string& parent : placement.parents) {
      const std::string dir = parent + "/" + name;
      if (::mkdir(dir.c_str(), 0755) == 0) {
        cgroup->dirs_.push_back(dir);
        continue;
      }
      const bool taken = errno == EEXIST;
      if (!taken) why_not = errno_text("cannot create cgroup", dir);
      cgroup->remove();  // the ones made under this name
      if (!taken) return nullptr;
      break;
    }
  }
  if (cgroup->dirs_.empty()) {
    why_not = "no free cgroup name under " + placement.parents.front();
    return nullptr;
  }
  for (const std::string& dir : cgroup->dirs_) {
    cgroup->procs_.emplace_back(::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!cgroup->procs_.back()) {
      why_not = errno_text("cannot open", dir + "/cgroup.procs");
      return nullptr;  // the destructor removes what was made
    }
  }
  const std::string& memory = cgroup->dirs_.front();
  const std::string& pids = cgroup->dirs_.back();
  const auto open_read = [](const std::string& path) {
    return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  };
  cgroup->memory_usage_ =
      open_read(memory + (cgroup->v2_ ? "/memory.current" : "/memory.usage_in_bytes"));
  cgroup->memory_stat_ = open_read(memory + "/memory.stat");
  cgroup->pids_current_ = open_read(pids + "/pids.current");
  return cgroup;
}

DaemonCgroup::~DaemonCgroup() {
  try {
    stop_all(SIGKILL, std::chrono::milliseconds(0));
  } catch (...) {
    // Never from a destructor: what is left shows in the next run's stale check.
  }
  remove();
}

std::vector<int> DaemonCgroup::join_fds() const {
  std::vector<int> fds;
  for (const UniqueFd& fd : procs_) fds.push_back(fd.get());
  return fds;
}

bool DaemonCgroup::holds(pid_t pid) const {
  for (const std::string& dir : dirs_) {
    const auto pids = read_procs(dir);
    if (std::find(pids.begin(), pids.end(), pid) == pids.end()) return false;
  }
  return !dirs_.empty();
}

std::vector<pid_t> DaemonCgroup::pids() const {
  // v1: a process could leave one hierarchy (a root daemon may move itself): all of them.
  std::vector<pid_t> all;
  for (const std::string& dir : dirs_) {
    for (pid_t pid : read_procs(dir))
      if (std::find(all.begin(), all.end(), pid) == all.end()) all.push_back(pid);
  }
  return all;
}

std::vector<Descendant> DaemonCgroup::living() const {
  std::vector<Descendant> alive;
  for (pid_t pid : pids()) {
    const auto stat = dtree::read_stat(pid);
    if (!stat || dtree::is_dead(*stat) || (stat->flags & dtree::kPfExiting) != 0) continue;
    const auto status = dtree::read_proc(dtree::proc_path(pid, "status"));
    if (status && status_kill_pending(*status)) continue;  // the group's SIGKILL, under way
    const auto cmdline = dtree::read_proc(dtree::proc_path(pid, "cmdline"));
    alive.push_back(Descendant{pid, cmdline ? join_cmdline(*cmdline) : std::string{}});
  }
  return alive;
}

CgroupFigures DaemonCgroup::read() const {
  CgroupFigures figures;
  if (const auto usage = number(read_fd(memory_usage_.get())))
    figures.memory_bytes = cgroup_working_set(*usage, read_fd(memory_stat_.get()), v2_);
  figures.tasks = number(read_fd(pids_current_.get()));
  return figures;
}

std::vector<pid_t> DaemonCgroup::stop_all(int stop_signal, std::chrono::milliseconds grace) {
  const std::vector<pid_t> found = pids();
  std::vector<pid_t> seen = found;
  const auto reap = [&] {
    for (pid_t pid : seen) ::waitpid(pid, nullptr, WNOHANG);  // ECHILD when not ours
  };
  const auto signal_all = [&](int signo) {
    for (pid_t pid : pids()) {
      if (std::find(seen.begin(), seen.end(), pid) == seen.end()) seen.push_back(pid);
      ::kill(pid, signo);
    }
  };
  if (found.empty()) return found;
  signal_all(stop_signal);
  const auto grace_end = Clock::now() + grace;
  while (Clock::now() < grace_end && !pids().empty()) {
    reap();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // A tree that forks while it is killed needs more than one round.
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (!pids().empty() && Clock::now() < deadline) {
    signal_all(SIGKILL);
    reap();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reap();
  return found;
}

bool DaemonCgroup::remove() {
  bool all = true;
  // A killed process leaves its cgroup only once it is released: a moment after the kill.
  for (const std::string& dir : dirs_) {
    bool removed = false;
    for (int attempt = 0; attempt < 200 && !removed; ++attempt) {
      removed = ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
      if (!removed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    all = all && removed;
  }
  dirs_.clear();
  return all;
}

int remove_stale_cgroups(const std::string& parent, std::chrono::seconds min_age) {
  DIR* dir = ::opendir(parent.c_str());
  if (dir == nullptr) return 0;
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    const size_t dash = name.rfind('-');
    if (!name.starts_with("leakgate-") || dash == std::string_view::npos) continue;
    const auto pid = number(name.substr(dash + 1));
    if (!pid || *pid <= 0 || ::kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
    struct stat made {};
    const std::string path = parent + "/" + std::string(name);
    if (::stat(path.c_str(), &made) != 0 || ::time(nullptr) - made.st_mtime < min_age.count())
      continue;
    stale.emplace_back(name);
  }
  ::closedir(dir);
  int removed = 0;
  for (const std::string& name : stale) {
    const std::string path = parent + "/" + name;
    // rmdir refuses a cgroup that still holds a process (or a child cgroup): left alone.
    if (read_procs(path).empty() && ::rmdir(path.c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace leakgate
