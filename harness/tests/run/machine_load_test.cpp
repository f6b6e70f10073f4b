// The machine's load as a run reads it: /proc/loadavg's text, the verdict's note, and how far a
// limit on the daemon's own speed (its stop) stretches for it.
#include "run/machine_load.h"

#include <gtest/gtest.h>

namespace leakgate {
namespace {

TEST(MachineLoad, ParsesTheOneMinuteAverage) {
  EXPECT_EQ(parse_loadavg("9.31 5.91 4.38 3/412 7235"), 9.31);
  EXPECT_FALSE(parse_loadavg(""));
  EXPECT_FALSE(parse_loadavg("high 1 1"));
  EXPECT_FALSE(parse_loadavg("-1 0 0"));
}

TEST(MachineLoad, NotesOnlyALoadAboveTheCpus) {
  EXPECT_FALSE(loaded_machine_note(1.9, 2));
  EXPECT_FALSE(loaded_machine_note(std::nullopt, 2));
  const auto note = loaded_machine_note(9.3, 2);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("load average 9.3 on 2 CPUs"), std::string::npos) << *note;
}

TEST(MachineLoad, AStopLimitStretchesWithTheLoadPerCpuWithinBounds) {
  EXPECT_EQ(load_stretch(1.0, 2, 4), 1);        // an idle machine: the declared limit
  EXPECT_EQ(load_stretch(std::nullopt, 2, 4), 1);  // unknown: the declared limit
  EXPECT_DOUBLE_EQ(load_stretch(5.0, 2, 4), 2.5);
  EXPECT_EQ(load_stretch(30.0, 2, 4), 4);      // at most `most`
  EXPECT_EQ(load_stretch(5.0, 0, 4), 1);       // no CPU count: no stretch
}

}  // namespace
}  // namespace leakgate
