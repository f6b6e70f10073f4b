#include "spawn/proc_entries.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "leakgate/unique_fd.h"

namespace leakgate::dtree {
namespace {

constexpr size_t kMaxEnviron = size_t{1} << 20;

}  // namespace

std::optional<std::string> read_proc(const std::string& path, size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  while (text.size() < limit) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

std::string proc_path(pid_t pid, const char* name) {
  return "/proc/" + std::to_string(pid) + "/" + name;
}

std::optional<StatFields> read_stat(pid_t pid) {
  const auto text = read_proc(proc_path(pid, "stat"), 2048);
  if (!text) return std::nullopt;
  return parse_stat_fields(*text);
}

bool is_dead(const StatFields& stat) { return stat.state == 'Z' || stat.state == 'X'; }

std::optional<bool> carries(pid_t pid, const std::string& entry) {
  const auto text = read_proc(proc_path(pid, "environ"), kMaxEnviron);
  if (!text || text->empty()) return std::nullopt;
  return environ_has(*text, entry);
}

}  // namespace leakgate::dtree
