// When the sampler thread yields the CPU to everything else (SCHED_IDLE) and when it takes its
// share like any thread (SCHED_OTHER). Pure: the sampler applies what it decides.
//
// Why idle: a normal thread waking 1000 times a second makes the scheduler place the daemon's
// threads around it (about twice the migrations); on a 2-vCPU VM that cost trackerd 3-4% more
// CPU, and within the noise (0.998-1.005) at SCHED_IDLE, whose CPU counts as free when the
// daemon's threads wake.
// Why not always: when every CPU is busy an idle thread starves (~30 ticks/s at 1 kHz, gaps of
// up to ~360 ms). The normal thread therefore looks at the idle one's deadline every
// watch_period(); an overdue tick gives it the turn for a hold time, which doubles (up to a
// cap) while the idle thread is overdue again right after each hand-back, and is back at its
// start after a calm stretch at idle. Only the normal thread calls on_tick().
#pragma once

#include <algorithm>
#include <chrono>

namespace leakgate {

class SamplerPriority {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;
  enum class Level { kIdle, kNormal };

  static constexpr Duration kMinLate = std::chrono::milliseconds(5);
  static constexpr Duration kFirstHold = std::chrono::seconds(1);
  static constexpr Duration kMaxHold = std::chrono::seconds(8);
  static constexpr Duration kMinWatch = std::chrono::milliseconds(25);

  // `period`: the sampler's tick period; a tick is late beyond max(2 periods, kMinLate).
  SamplerPriority(Duration period, TimePoint now);

  // Called at each of the normal thread's ticks and at each of its watches with how late the
  // due tick is (negative: not due yet); returns whose turn it is.
  Level on_tick(TimePoint now, Duration late);
  Level level() const { return level_; }
  // How often the normal thread checks on the idle one: max(the lateness bound, kMinWatch),
  // so a 1 kHz sampler adds 40 wake-ups a second, not 1000.
  Duration watch_period() const { return std::max(late_after_, kMinWatch); }
  Duration hold() const { return hold_; }

 private:
  Duration late_after_;
  Level level_ = Level::kIdle;
  Duration hold_ = kFirstHold;
  TimePoint since_;                // when the current level began
  bool back_from_normal_ = false;  // this idle stretch followed a normal one
};

}  // namespace leakgate
