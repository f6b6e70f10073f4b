// When the sampler thread yields the CPU to everything else (SCHED_IDLE) and when it takes its
// share like any thread (SCHED_OTHER). Pure: the sampler applies what it decides.
//
// Why idle: a normal thread waking 1000 times a second makes the scheduler place the daemon's
// threads around it (about twice the migrations); on a 2-vCPU VM that cost trackerd 3-4% more
// CPU, and 1.0-1.5% at SCHED_IDLE, whose CPU counts as free when the daemon's threads wake.
// Why not always: when every CPU is busy an idle thread starves (~30 ticks/s at 1 kHz, gaps of
// up to ~60 ms). A tick that comes late therefore switches to normal priority for a hold time,
// which doubles (up to a cap) while ticks stay late right after each return to idle, and is
// back at its start after a calm stretch at idle.
#pragma once

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

  // `period`: the sampler's tick period; a tick is late beyond max(2 periods, kMinLate).
  SamplerPriority(Duration period, TimePoint now);

  // Called at each tick with how late it came; returns the level for the next ones.
  Level on_tick(TimePoint now, Duration late);
  Level level() const { return level_; }
  Duration hold() const { return hold_; }

 private:
  Duration late_after_;
  Level level_ = Level::kIdle;
  Duration hold_ = kFirstHold;
  TimePoint since_;                // when the current level began
  bool back_from_normal_ = false;  // this idle stretch followed a normal one
};

}  // namespace leakgate
