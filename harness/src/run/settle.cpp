#include "run/settle.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace leakgate {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWindowInterval = std::chrono::milliseconds(20);
constexpr auto kMinWindow = std::chrono::milliseconds(200);

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

std::string count_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}

}  // namespace

bool same_settle_figures(const Frame& a, const Frame& b) {
  for (const auto& [metric, value] : a) {
    if (!is_integer_figure(metric)) continue;
    auto it = b.find(metric);
    if (it != b.end() && it->second != value) return false;
  }
  return true;
}

bool settle(Sampler& sampler, const SettleSpec& spec, DaemonProcess& daemon,
            const StopRequested& stop_requested, Frame* settled) {
  const auto start = Clock::now();
  Frame last = sampler.sample_now(false);
  auto stable_since = start;
  const auto done = [&](bool result) {
    if (settled != nullptr) *settled = last;
    return result;
  };
  // On a saturated machine a poll comes late, and so may the daemon's own thread that
  // closes a finished connection: the window stretches to three times the longest gap
  // between two polls, so "unchanged" spans time in which the daemon could have run.
  auto window = Clock::duration(spec.window);
  auto polled = start;
  while (true) {
    if (stop_requested()) return done(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!daemon.running()) return done(false);
    Frame now = sampler.sample_now(false);
    const auto t = Clock::now();
    window = std::max(window, 3 * (t - polled));
    polled = t;
    if (!same_settle_figures(last, now)) {
      stable_since = t;
      last = std::move(now);
    }
    if (t - stable_since >= window) return done(true);
    if (t - start >= spec.timeout) return done(false);
  }
}

FloorReport confirm_floors(Sampler& sampler, const SettleSpec& spec, DaemonProcess& daemon,
                           const StopRequested& stop_requested, const Frame* reference) {
  const Clock::duration shortest = std::max<Clock::duration>(spec.window, kMinWindow);
  const Clock::duration bound = std::max<Clock::duration>(spec.confirm_max, shortest);
  const auto two_periods = [&](double period_s) {
    const auto span = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(2 * period_s));
    return std::clamp(span, shortest, bound);
  };
  Clock::duration target = shortest;
  if (spec.period) target = two_periods(std::chrono::duration<double>(*spec.period).count());
  std::optional<ProcessProbe> probe;
  try {
    probe.emplace(daemon.pid());
  } catch (const ProbeError&) {
    // The daemon is gone: the window's samples carry what the sampler still read.
  }
  FloorWindow window;
  const auto start = Clock::now();
  while (true) {
    if (stop_requested()) return FloorReport{};
    if (!daemon.running() && window.samples() > 0) break;
    const Frame frame = sampler.sample_now(true);
    std::vector<FdInfo> fds;
    if (probe) fds = probe->list_fds().value_or(std::vector<FdInfo>{});
    // The workers' too: the daemon is its process tree (an fd is known by pid and number).
    const std::vector<FdInfo> workers = sampler.worker_fds();
    fds.insert(fds.end(), workers.begin(), workers.end());
    const auto now = Clock::now();
    window.add(std::chrono::duration<double>(now - start).count(), frame, fds);
    if (!spec.period) {
      // Something came and went, and its period is unknown yet: wait for its next rise.
      if (auto period = window.learnt_period())
        target = two_periods(*period);
      else if (window.saw_fall())
        target = bound;
    }
    if (reference != nullptr && window.above(*reference)) target = bound;
    if (now - start >= target && window.samples() >= 3) break;
    std::this_thread::sleep_for(kWindowInterval);
  }
  // The final (judged against `reference`) must hold through the window; the baseline is
  // what the daemon had most of the time (FloorWindow::Level).
  FloorReport report = window.report(reference != nullptr ? FloorWindow::Level::kEverySample
                                                          : FloorWindow::Level::kMostSamples);
  if (spec.period) {
    report.period_s = std::chrono::duration<double>(*spec.period).count();
    report.period_source = PeriodSource::kDeclared;
  } else if (auto period = window.learnt_period()) {
    report.period_s = *period;
    report.period_source = PeriodSource::kLearnt;
  }
  const bool unknown_period = !spec.period && !report.period_s && window.saw_fall();
  report.bounded = unknown_period || (report.period_s && 2 * *report.period_s >
                                                              std::chrono::duration<double>(bound).count());
  return report;
}

std::string describe_window(const FloorReport& report) {
  std::string text = "floors over " + seconds_text(report.seconds) + " (" +
                     std::to_string(report.samples) + " samples";
  if (report.period_s) {
    text += "; 2 periods of " + seconds_text(*report.period_s) + ", " +
            to_string(report.period_source);
  }
  if (report.bounded) text += "; cut at settle.confirm_max";
  return text + ")";
}

std::vector<std::string> describe_transients(const FloorReport& report, size_t most) {
  std::vector<std::string> lines;
  const std::string of = " of " + std::to_string(report.samples) + " samples";
  for (const TransientFd& fd : report.transient_fds) {
    const std::string what =
        fd.fd.type == FdType::kFile || fd.fd.type == FdType::kOther
            ? fd.fd.target
            : std::string(to_string(fd.fd.type)) + " fd " + std::to_string(fd.fd.fd);
    lines.push_back(what + " open in " + std::to_string(fd.seen) + of);
  }
  for (const TransientFigure& figure : report.transient_figures) {
    if (figure.metric.rfind("daemon.fds", 0) == 0 && !report.transient_fds.empty()) continue;
    lines.push_back(figure.metric + " " + count_text(figure.high) + " in " +
                    std::to_string(figure.above) + of + ", floor " + count_text(figure.floor));
  }
  if (!report.opened_fds.empty()) {
    lines.push_back(std::to_string(report.opened_fds.size()) +
                    " fd(s) opened during the window and still open at its end (growth going "
                    "on): not in this snapshot");
  }
  if (lines.size() > most) {
    const size_t rest = lines.size() - most;
    lines.resize(most);
    lines.push_back("and " + std::to_string(rest) + " more (result.json floors)");
  }
  return lines;
}

}  // namespace leakgate
