// RunInterrupt: what a signal handler's request means to each run (its own executable: the
// request is process-wide and cannot be taken back).
#include "run/interrupt.h"

#include <signal.h>

#include <gtest/gtest.h>

#include "leakgate/runner.h"

namespace leakgate {
namespace {

TEST(RunInterrupt, AbandonsUntilAMeasuredPhaseConsumesItOncePerRun) {
  RunInterrupt before;
  EXPECT_FALSE(interrupt_requested());
  EXPECT_FALSE(before.abandons());
  EXPECT_EQ(before.consume(), 0);  // nothing to take

  request_interrupt(SIGTERM);
  EXPECT_TRUE(interrupt_requested());
  EXPECT_TRUE(before.abandons());
  EXPECT_EQ(before.consume(), SIGTERM);  // the measured phase ends, named by its signal
  EXPECT_FALSE(before.abandons());       // the run goes on to its final snapshot
  EXPECT_EQ(before.consume(), 0);

  RunInterrupt next;  // another run in the same process has not consumed it
  EXPECT_TRUE(next.abandons());
  EXPECT_EQ(next.consume(), SIGTERM);
}

}  // namespace
}  // namespace leakgate
