// SamplerPriority: when the sampler ticks from its idle thread and when from its normal one.
#include "sample/sampler_priority.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Level = SamplerPriority::Level;

class SamplerPriorityTest : public ::testing::Test {
 protected:
  SamplerPriority::TimePoint at(milliseconds t) const { return start_ + t; }

  const SamplerPriority::TimePoint start_ = SamplerPriority::TimePoint{} + seconds(100);
  SamplerPriority priority_{milliseconds(1), start_};  // 1 kHz
};

TEST_F(SamplerPriorityTest, OnTimeTicksStayIdle) {
  for (int t = 1; t <= 5000; ++t) {
    EXPECT_EQ(priority_.on_tick(at(milliseconds(t)), milliseconds(4)), Level::kIdle) << t;
  }
}

TEST_F(SamplerPriorityTest, ALateTickGoesNormalForTheFirstHoldThenBackToIdle) {
  EXPECT_EQ(priority_.on_tick(at(milliseconds(10)), milliseconds(6)), Level::kNormal);
  EXPECT_EQ(priority_.hold(), SamplerPriority::kFirstHold);
  EXPECT_EQ(priority_.on_tick(at(milliseconds(1009)), milliseconds(0)), Level::kNormal);
  EXPECT_EQ(priority_.on_tick(at(milliseconds(1010)), milliseconds(0)), Level::kIdle);
}

TEST_F(SamplerPriorityTest, LateMeansTwoPeriodsAtLowRates) {
  SamplerPriority ten_hz(milliseconds(100), start_);
  EXPECT_EQ(ten_hz.on_tick(at(milliseconds(500)), milliseconds(200)), Level::kIdle);
  EXPECT_EQ(ten_hz.on_tick(at(milliseconds(700)), milliseconds(201)), Level::kNormal);
}

TEST_F(SamplerPriorityTest, TheWatchIsTheLatenessBoundButNotUnder25Ms) {
  EXPECT_EQ(priority_.watch_period(), milliseconds(25));
  EXPECT_EQ(SamplerPriority(milliseconds(100), start_).watch_period(), milliseconds(200));
}

TEST_F(SamplerPriorityTest, StayingLateDoublesTheHoldUpToItsCap) {
  auto now = at(milliseconds(10));
  ASSERT_EQ(priority_.on_tick(now, milliseconds(50)), Level::kNormal);
  for (const auto expected : {seconds(2), seconds(4), seconds(8), seconds(8)}) {
    now += priority_.hold();
    ASSERT_EQ(priority_.on_tick(now, milliseconds(0)), Level::kIdle);
    now += milliseconds(40);  // starved at idle: the next tick is late
    ASSERT_EQ(priority_.on_tick(now, milliseconds(40)), Level::kNormal);
    EXPECT_EQ(priority_.hold(), expected);
  }
}

TEST_F(SamplerPriorityTest, ACalmStretchAtIdleResetsTheHold) {
  auto now = at(milliseconds(10));
  priority_.on_tick(now, milliseconds(50));
  now += priority_.hold();
  priority_.on_tick(now, milliseconds(0));
  now += milliseconds(40);
  ASSERT_EQ(priority_.on_tick(now, milliseconds(40)), Level::kNormal);
  ASSERT_EQ(priority_.hold(), seconds(2));

  now += priority_.hold();
  ASSERT_EQ(priority_.on_tick(now, milliseconds(0)), Level::kIdle);
  now += seconds(2);  // on time for as long as the hold
  ASSERT_EQ(priority_.on_tick(now, milliseconds(0)), Level::kIdle);
  ASSERT_EQ(priority_.on_tick(now + milliseconds(1), milliseconds(30)), Level::kNormal);
  EXPECT_EQ(priority_.hold(), SamplerPriority::kFirstHold);
}

}  // namespace
}  // namespace leakgate
