// `leakgate probe PID`: the harness's metrics for any running process, once or --watch.
#include <signal.h>
#include <time.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "commands.h"
#include "leakgate/counter_file.h"
#include "leakgate/process_probe.h"
#include "subcommand.h"

namespace leakgate::cli {

namespace {

// "500ms", "1s", "1.5s", "2m", "250us". Not leakgate::parse_duration: a --watch interval may
// be shorter than a millisecond, which a scenario duration never is.
std::optional<std::chrono::microseconds> parse_interval(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || value <= 0) return std::nullopt;
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  double us_per_unit = 0;
  if (unit == "us") us_per_unit = 1;
  if (unit == "ms") us_per_unit = 1e3;
  if (unit == "s") us_per_unit = 1e6;
  if (unit == "m") us_per_unit = 60e6;
  if (us_per_unit == 0 || value * us_per_unit < 1 || value * us_per_unit > 86400e6) {
    return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<int64_t>(value * us_per_unit));
}

struct ProbeOptions {
  int pid = 0;
  bool json = false;
  std::string watch;
  std::string counters;
  bool classify = false;
  bool pss = false;

  void add_options(CLI::App& command) {
    command.add_option("pid", pid, "process id")->required();
    command.add_flag("--json", json, "one JSON object (with --watch: one per line)");
    command.add_option("--watch", watch, "sample every INTERVAL (e.g. 500ms, 1s) until Ctrl-C")
        ->check([](const std::string& text) -> std::string {
          return parse_interval(text) ? "" : "bad interval '" + text + "': use e.g. 500ms, 1s, 2m";
        });
    command.add_option("--counters", counters,
                       "counter file the process publishes into (its LEAKGATE_COUNTERS)");
    command.add_flag("--classify", classify,
                     "count fds by type: fds.socket, fds.pipe, fds.file, fds.anon, fds.other");
    command.add_flag("--pss", pss, "also read PSS from smaps_rollup (walks every mapping)");
  }
};

volatile sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

// One sample as ordered name → value, with the design's metric names.
nlohmann::ordered_json collect(const ProcessProbe& probe, const ProbeOptions& opts,
                               const std::optional<CounterFileReader>& counters) {
  const auto sample = probe.sample({.classify_fds = opts.classify, .pss = opts.pss});
  if (!sample) return nullptr;
  nlohmann::ordered_json m;
  m["pid"] = probe.pid();
  m["fds"] = sample->fds;
  if (const auto& by = sample->fds_by_type) {
    m["fds.socket"] = by->socket;
    m["fds.pipe"] = by->pipe;
    m["fds.file"] = by->file;
    m["fds.anon"] = by->anon;
    m["fds.other"] = by->other;
  }
  m["rss"] = sample->rss_bytes;
  if (opts.pss) m["pss"] = sample->pss_bytes ? nlohmann::json(*sample->pss_bytes) : nullptr;
  m["threads"] = sample->threads;
  m["children"] = sample->children;
  if (counters) {
    const CounterSnapshot snap = counters->read();
    for (const KindSnapshot& k : snap.kinds) {
      m[k.name] = k.live;
      m[k.name + ".created"] = k.created;
      m[k.name + ".peak"] = k.peak;
    }
    if (snap.heap) m["heap"] = *snap.heap;
    if (snap.exited) m["exited"] = true;  // at-exit values of a publisher that is gone
  }
  return m;
}

void print_table(const nlohmann::ordered_json& m) {
  size_t width = 0;
  for (const auto& [name, value] : m.items()) width = std::max(width, name.size());
  for (const auto& [name, value] : m.items()) {
    std::printf("%-*s  %s\n", static_cast<int>(width), name.c_str(), value.dump().c_str());
  }
}

void print_line(const nlohmann::ordered_json& m, double elapsed_s) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "+%.3fs", elapsed_s);
  std::string line = stamp;
  for (const auto& [name, value] : m.items()) {
    if (name != "pid") line += " " + name + "=" + value.dump();
  }
  std::puts(line.c_str());
}

std::optional<CounterFileReader> open_counters(const ProbeOptions& opts, bool warn) {
  if (opts.counters.empty()) return std::nullopt;
  auto reader = CounterFileReader::open(opts.counters);
  if (!reader && warn) {
    std::fprintf(stderr, "leakgate probe: no counter file at %s (yet); counters omitted\n",
                 opts.counters.c_str());
  }
  if (reader && warn && reader->read().pid != opts.pid) {
    std::fprintf(stderr, "leakgate probe: warning: %s was published by pid %lld, not %d\n",
                 opts.counters.c_str(), static_cast<long long>(reader->read().pid), opts.pid);
  }
  return reader;
}

int run_probe(const ProbeOptions& opts) {
  std::optional<ProcessProbe> probe;
  try {
    probe.emplace(static_cast<pid_t>(opts.pid));
  } catch (const ProbeError& e) {
    std::fprintf(stderr, "leakgate probe: %s\n", e.what());
    return 1;
  }
  auto counters = open_counters(opts, /*warn=*/true);
  if (opts.watch.empty()) {
    const auto m = collect(*probe, opts, counters);
    if (m.is_null()) {
      std::fprintf(stderr, "leakgate probe: process %d exited while being sampled\n", opts.pid);
      return 1;
    }
    if (opts.json) {
      std::puts(m.dump().c_str());
    } else {
      print_table(m);
    }
    return 0;
  }

  const auto interval = *parse_interval(opts.watch);  // validated by the option check
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);  // no SA_RESTART: the sleep below must return
  sigaction(SIGTERM, &sa, nullptr);
  const auto start = std::chrono::steady_clock::now();
  timespec next{};
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (g_interrupted == 0) {
    if (!counters) counters = open_counters(opts, /*warn=*/false);
    const auto m = collect(*probe, opts, counters);
    if (m.is_null()) {
      std::fprintf(stderr, "leakgate probe: process %d exited\n", opts.pid);
      return 0;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (opts.json) {
      nlohmann::ordered_json line = {{"t", std::round(elapsed * 1000) / 1000}};
      line.update(m);
      std::puts(line.dump().c_str());
    } else {
      print_line(m, elapsed);
    }
    std::fflush(stdout);
    const int64_t ns = next.tv_nsec + interval.count() * 1000;
    next.tv_sec += ns / 1'000'000'000;
    next.tv_nsec = ns % 1'000'000'000;
    while (g_interrupted == 0 &&
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
    }
  }
  return 0;
}

}  // namespace

void define_probe_command(CLI::App& command, int* exit_code) {
  define_subcommand<ProbeOptions>(command, exit_code, run_probe);
}

}  // namespace leakgate::cli
