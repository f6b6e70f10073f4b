// Floors, not points: the baseline and final figures are what stays through a confirmation
// window of samples, so a file a daemon holds open for a moment (a periodic export) is no
// growth. Pure: the runner feeds samples (run/settle.h), this keeps what every sample shared.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "leakgate/process_probe.h"
#include "sample/timeline.h"

namespace leakgate {

// An fd seen in some but not all samples of a window: it came or went, so it is not counted.
struct TransientFd {
  FdInfo fd;
  int seen = 0;  // samples it was open in
};

// An integer figure that was above its floor in some samples of a window.
struct TransientFigure {
  std::string metric;
  double floor = 0;
  double high = 0;
  int above = 0;  // samples above the floor
};

// How the window's length came about, for result.json and the verdict's note.
enum class PeriodSource { kNone, kLearnt, kDeclared };
const char* to_string(PeriodSource source);

struct FloorReport {
  Frame floor;                    // each figure's minimum over the window's samples
  std::vector<FdInfo> fds;        // open (same number, type and target) in every sample
  std::vector<TransientFd> transient_fds;  // came and went: open in some samples, not the last
  // Opened during the window and still open at its end (a leak going on): not in this
  // snapshot's floor, not transient either.
  std::vector<FdInfo> opened_fds;
  // Integer figures (not rss/heap) above their floor in some samples and back at it in the last.
  std::vector<TransientFigure> transient_figures;
  int samples = 0;
  double seconds = 0;                  // first to last sample
  std::optional<double> period_s;      // the daemon's own period, when known
  PeriodSource period_source = PeriodSource::kNone;
  bool bounded = false;                // the window stopped at its bound before 2 periods
};

// Integer figures (fds, threads, children, counted objects) are the ones a floor confirms and
// settling waits for; RSS and heap move a little forever.
bool is_integer_figure(const std::string& metric);

class FloorWindow {
 public:
  // One sample at `t_s` (seconds): its figures and its fd list.
  void add(double t_s, const Frame& frame, const std::vector<FdInfo>& fds);
  int samples() const { return samples_; }
  double seconds() const { return samples_ == 0 ? 0 : last_t_ - first_t_; }
  // Whether any sample rose above the one before it (an fd appeared, a figure went up), and
  // whether any fell below it (an fd closed, a figure went down): something came and went.
  bool saw_rise() const { return !rises_.empty(); }
  bool saw_fall() const { return saw_fall_; }
  // Whether the floor so far of an integer figure is above its value in `reference`.
  bool above(const Frame& reference) const;
  // The gap between the last two rises: the daemon's own period as this window saw it.
  std::optional<double> learnt_period() const;
  // kEverySample (the final snapshot): each figure's minimum, the fds open in every sample:
  // growth must hold through the whole window. kMostSamples (the baseline): each figure's
  // median, the fds open in more than half of the samples: what the daemon had before, so
  // neither a file open for a moment nor a child that blinked out (a shell between two
  // `sleep`s) moves the baseline.
  enum class Level { kEverySample, kMostSamples };
  FloorReport report(Level level = Level::kEverySample) const;

 private:
  // An fd's identity: its number, type and target, less the " (deleted)" a file gets when
  // another is renamed over it (the same open file, as a temp file renamed into place is).
  using FdKey = std::tuple<pid_t, int, FdType, std::string>;  // pid: a tree has several
  struct FdSeen {
    int samples = 0;
    std::string target;  // as the last sample read it
  };
  int samples_ = 0;
  double first_t_ = 0, last_t_ = 0;
  Frame floor_;
  std::map<std::string, double> high_;
  std::map<std::string, std::vector<double>> values_;  // every figure's samples
  std::map<FdKey, FdSeen> fd_seen_;
  std::vector<FdKey> previous_fds_;
  Frame previous_;
  std::vector<double> rises_;  // times of samples that rose above the previous one
  bool last_rose_ = false;
  bool saw_fall_ = false;
};

}  // namespace leakgate
