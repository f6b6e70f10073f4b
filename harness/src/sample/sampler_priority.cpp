#include "sample/sampler_priority.h"

#include <algorithm>

namespace leakgate {

SamplerPriority::SamplerPriority(Duration period, TimePoint now)
    : late_after_(std::max(2 * period, kMinLate)), since_(now) {}

SamplerPriority::Level SamplerPriority::on_tick(TimePoint now, Duration late) {
  const Duration at_level = now - since_;
  if (level_ == Level::kNormal) {
    if (at_level >= hold_) {
      level_ = Level::kIdle;
      since_ = now;
      back_from_normal_ = true;
    }
    return level_;
  }
  if (at_level >= hold_) {  // a calm stretch at idle as long as the hold: room again
    hold_ = kFirstHold;
    back_from_normal_ = false;
  }
  if (late > late_after_) {
    // Late again soon after coming back: the CPUs are still saturated, so hold longer.
    if (back_from_normal_) hold_ = std::min(2 * hold_, kMaxHold);
    level_ = Level::kNormal;
    since_ = now;
  }
  return level_;
}

}  // namespace leakgate
