#include "run/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "leakgate/units.h"

namespace leakgate {
namespace {

// The figures worth watching while a test runs; absent ones are left out.
std::string key_figures(const Frame& frame) {
  std::string text;
  auto add = [&](const char* metric, const char* label, bool bytes) {
    auto it = frame.find(metric);
    if (it == frame.end() || std::isnan(it->second)) return;
    text += "  ";
    text += label;
    text += ' ';
    text += bytes ? format_bytes(static_cast<int64_t>(it->second))
                  : std::to_string(static_cast<int64_t>(it->second));
  };
  add("daemon.fds", "fds", false);
  add("daemon.rss", "rss", true);
  add("daemon.heap", "heap", true);
  add("daemon.threads", "threads", false);
  add("daemon.engines", "engines", false);
  add("client.sessions", "sessions", false);
  return text;
}

}  // namespace

Progress::Progress(RunOptions::Progress mode, std::string test) : test_(std::move(test)) {
  quiet_ = mode == RunOptions::Progress::kQuiet;
  terminal_ = mode == RunOptions::Progress::kTerminal ||
              (mode == RunOptions::Progress::kAuto && isatty(STDERR_FILENO));
}

void Progress::clear_line() {
  if (line_open_) {
    std::fputs("\r\033[K", stderr);
    line_open_ = false;
  }
}

void Progress::phase(const std::string& what) {
  if (quiet_) return;
  if (terminal_) {
    clear_line();
    std::fprintf(stderr, "%s: %s", test_.c_str(), what.c_str());
    line_open_ = true;
  } else {
    std::fprintf(stderr, "%s: %s\n", test_.c_str(), what.c_str());
  }
  std::fflush(stderr);
}

void Progress::iteration(const char* phase, int i, int n, const Frame& checkpoint) {
  if (quiet_) return;
  const std::string figures = key_figures(checkpoint);
  if (terminal_) {
    clear_line();
    std::fprintf(stderr, "%s: %s %d/%d%s", test_.c_str(), phase, i, n, figures.c_str());
    line_open_ = true;
  } else if (i == n || i % 10 == 0) {
    std::fprintf(stderr, "%s: %s %d/%d%s\n", test_.c_str(), phase, i, n, figures.c_str());
  }
  std::fflush(stderr);
}

void Progress::soak(int i, double elapsed_s, double duration_s, const Frame& checkpoint) {
  if (quiet_) return;
  const double every_s = terminal_ ? 2 : 10;
  if (soak_shown_s_ >= 0 && elapsed_s - soak_shown_s_ < every_s) return;
  soak_shown_s_ = elapsed_s;
  const auto clock = [](double seconds) {  // "45s", "9m05s", "2h00m10s"
    const long long s = std::llround(std::max(0.0, seconds));
    char text[32];
    if (s >= 3600)
      std::snprintf(text, sizeof text, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
    else if (s >= 60)
      std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
    else
      std::snprintf(text, sizeof text, "%llds", s);
    return std::string(text);
  };
  const std::string line = test_ + ": soak " + clock(elapsed_s) + " of " + clock(duration_s) +
                           " (" + clock(duration_s - elapsed_s) + " left), " + std::to_string(i) +
                           " iterations" + key_figures(checkpoint);
  if (terminal_) {
    clear_line();
    std::fputs(line.c_str(), stderr);
    line_open_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Progress::note(const std::string& text) {
  if (quiet_) return;
  clear_line();
  std::fprintf(stderr, "%s: %s\n", test_.c_str(), text.c_str());
}

void Progress::finish(const std::string& verdict_text) {
  clear_line();
  std::fputs(verdict_text.c_str(), stdout);
  if (!verdict_text.empty() && verdict_text.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace leakgate
