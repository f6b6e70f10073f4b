// `leakgate compare`: which tests' figures grew between two runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "leakgate/reports/format.h"
#include "leakgate/reports/history.h"

namespace leakgate::reports {

struct FigureChange {
  std::string test;
  std::string metric;
  std::string figure;  // peak | final | growth | at_exit
  Unit unit = Unit::count;
  double before = 0;
  double after = 0;
  // (after - before) relative to the level of the resource (the earlier run's peak), so
  // growth of 1 MiB on a 60 MiB daemon reads 1.7%. Infinite when the level was 0.
  double percent_of_level = 0;
};

// Figures of `run` larger than in `baseline`, biggest relative change first.
std::vector<FigureChange> find_growth(const History& history, const std::string& run,
                                      const std::string& baseline);

// A plain-text table for the terminal.
std::string format_growth_table(const std::vector<FigureChange>& changes);

}  // namespace leakgate::reports
