// Stack capture (libunwind) and on-demand symbolization (dladdr, addr2line).
#define UNW_LOCAL_ONLY
#include "leakgate/creation_stack.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <libunwind.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "elf_debug_info.h"
#include "leakgate/unique_fd.h"

extern char** environ;

namespace leakgate {

__attribute__((noinline)) std::vector<uintptr_t> capture_stack(int skip) {
  void* raw[kMaxStackFrames + 8];
  const int n = unw_backtrace(raw, kMaxStackFrames + 8);
  // raw[0] is inside this function: unw_backtrace reports its caller first.
  const int first = 1 + (skip > 0 ? skip : 0);
  std::vector<uintptr_t> frames;
  if (n > first) {
    const int count = std::min(n - first, kMaxStackFrames);
    frames.reserve(count);
    for (int i = 0; i < count; ++i) frames.push_back(reinterpret_cast<uintptr_t>(raw[first + i]));
  }
  return frames;
}

void warm_up_unwinder() {
  void* raw[4];
  unw_backtrace(raw, 4);
}

std::string SymbolizedFrame::str() const {
  std::string out = function.empty() ? "??" : function;
  if (!file.empty()) {
    out += " (" + file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ")";
  } else if (!module.empty()) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "+0x%zx", static_cast<size_t>(offset));
    out += " (" + module + hex + ")";
  }
  return out;
}

namespace detail {
namespace {
bool is_number(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}
}  // namespace

std::vector<std::vector<Addr2lineRecord>> parse_addr2line_output(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  std::vector<std::vector<Addr2lineRecord>> out;
  for (size_t i = 0; i < lines.size();) {
    if (lines[i].substr(0, 2) == "0x") {
      out.emplace_back();
      ++i;
      continue;
    }
    if (out.empty() || i + 1 >= lines.size()) break;  // not addr2line -a output
    Addr2lineRecord rec;
    if (lines[i] != "??") rec.function = std::string(lines[i]);
    std::string_view loc = lines[i + 1];
    if (const size_t disc = loc.find(" (discriminator"); disc != std::string_view::npos) {
      loc = loc.substr(0, disc);
    }
    size_t colon = loc.rfind(':');
    // eu-addr2line and llvm-addr2line may add a column: "file:line:column".
    if (colon != std::string_view::npos && colon > 0 && is_number(loc.substr(colon + 1))) {
      const size_t before = loc.rfind(':', colon - 1);
      if (before != std::string_view::npos && is_number(loc.substr(before + 1, colon - before - 1)))
        colon = before;
    }
    const std::string_view file = loc.substr(0, colon);
    if (colon != std::string_view::npos && file != "??" && !file.empty()) {
      rec.file = std::string(file);
      const std::string_view num = loc.substr(colon + 1);
      std::from_chars(num.data(), num.data() + num.size(), rec.line);
    }
    out.back().push_back(std::move(rec));
    i += 2;
  }
  return out;
}

}  // namespace detail

namespace {

std::string demangle(const char* name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) return name;
  std::string result(out);
  std::free(out);
  return result;
}

// Start of the main program's mapping: dladdr names it by argv[0], which addr2line
// cannot open from another cwd, so it is replaced by /proc/self/exe's target.
uintptr_t main_program_base() {
  static const uintptr_t base = [] {
    uintptr_t found = 0;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* out) {
          uintptr_t low = UINTPTR_MAX;
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            if (info->dlpi_phdr[i].p_type == PT_LOAD) {
              low = std::min<uintptr_t>(low, info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
            }
          }
          *static_cast<uintptr_t*>(out) = low & ~uintptr_t{0xfff};
          return 1;  // the first object is the main program
        },
        &found);
    return found;
  }();
  return base;
}

std::string self_exe_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
}

const char* addr2line_program() {
  const char* env = std::getenv("LEAKGATE_ADDR2LINE");
  if (env != nullptr && *env != '\0') return std::strcmp(env, "none") == 0 ? nullptr : env;
  return "/usr/bin/addr2line";
}

// Runs addr2line on one module; empty on any failure (missing tool, timeout, bad exit).
std::string run_addr2line(const char* program, const std::string& module,
                          const std::vector<uintptr_t>& offsets) {
  if (std::strchr(program, '/') != nullptr && access(program, X_OK) != 0) return {};
  std::vector<std::string> args = {program, "-a", "-f", "-i", "-C", "-e", module};
  char hex[32];
  for (uintptr_t off : offsets) {
    std::snprintf(hex, sizeof hex, "0x%zx", static_cast<size_t>(off));
    args.emplace_back(hex);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {};
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The caller may be the publisher thread, which blocks every signal: unblock them in
  // the child and restore default dispositions (a daemon may ignore SIGPIPE or SIGCHLD).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, program, &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (rc != 0) return {};

  std::string out;
  char buf[4096];
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  bool timed_out = false;
  for (;;) {
    pollfd pfd{read_end.get(), POLLIN, 0};
    const int ready = poll(&pfd, 1, 200);
    if (ready > 0) {
      const ssize_t n = read(read_end.get(), buf, sizeof buf);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) break;
      if (errno != EINTR) break;
    } else if (ready < 0 && errno != EINTR) {
      break;
    }
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > 10) {  // a huge binary; give up rather than hang a dump
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return out;
}

}  // namespace

std::vector<std::vector<SymbolizedFrame>> symbolize(const std::vector<uintptr_t>& addresses) {
  std::vector<SymbolizedFrame> frames(addresses.size());
  std::map<std::string, std::vector<size_t>> by_module;
  for (size_t i = 0; i < addresses.size(); ++i) {
    SymbolizedFrame& f = frames[i];
    f.address = addresses[i];
    f.function = "??";
    const uintptr_t pc = addresses[i] > 0 ? addresses[i] - 1 : 0;  // inside the call
    Dl_info info{};
    if (pc == 0 || dladdr(reinterpret_cast<void*>(pc), &info) == 0) continue;
    const auto base = reinterpret_cast<uintptr_t>(info.dli_fbase);
    const auto* ehdr = static_cast<const ElfW(Ehdr)*>(info.dli_fbase);
    f.offset = (ehdr != nullptr && ehdr->e_type == ET_EXEC) ? pc : pc - base;
    if (base == main_program_base()) {
      static const std::string exe = self_exe_path();
      f.module = exe;
    } else if (info.dli_fname != nullptr) {
      f.module = info.dli_fname;
    }
    if (info.dli_sname != nullptr) f.function = demangle(info.dli_sname);
    if (!f.module.empty()) by_module[f.module].push_back(i);
  }
  std::vector<std::vector<SymbolizedFrame>> out(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) out[i].push_back(frames[i]);
  const char* program = addr2line_program();
  if (program == nullptr) return out;
  for (const auto& [module, indexes] : by_module) {
    static const std::string exe = self_exe_path();
    if (!detail::module_has_line_info(module, module == exe)) continue;  // dladdr names stay
    std::vector<uintptr_t> offsets;
    for (size_t i : indexes) offsets.push_back(frames[i].offset);
    const auto chains = detail::parse_addr2line_output(run_addr2line(program, module, offsets));
    if (chains.size() != indexes.size()) continue;  // failed or unexpected: keep dladdr names
    for (size_t k = 0; k < indexes.size(); ++k) {
      if (chains[k].empty()) continue;
      std::vector<SymbolizedFrame>& chain = out[indexes[k]];
      const SymbolizedFrame plain = frames[indexes[k]];
      chain.clear();
      for (size_t r = 0; r < chains[k].size(); ++r) {
        SymbolizedFrame f = plain;
        const detail::Addr2lineRecord& rec = chains[k][r];
        if (!rec.function.empty()) f.function = rec.function;
        f.file = rec.file;
        f.line = rec.line;
        f.inlined = r + 1 < chains[k].size();
        chain.push_back(std::move(f));
      }
    }
  }
  return out;
}

}  // namespace leakgate
