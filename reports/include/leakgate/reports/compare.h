// `leakgate compare`: which tests' figures grew between two runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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

// Test name -> {"metrics": {metric: {"unit", "peak", "final", "growth", "at_exit", ...}}}:
// a run from the history (History::run_figures) or a result from a results file.
using FiguresByTest = std::map<std::string, nlohmann::json>;

// Every test of `run` in the history with its figures.
FiguresByTest figures_of_run(const History& history, const std::string& run);

// The compared figures (peak, final, growth, at_exit) of each test in `now` that are larger
// than in `before`, biggest relative change first. A test or metric absent from `before`
// has nothing to grow from and is left out.
std::vector<FigureChange> find_growth(const FiguresByTest& now, const FiguresByTest& before);

// Figures of `run` larger than in `baseline`, biggest relative change first.
std::vector<FigureChange> find_growth(const History& history, const std::string& run,
                                      const std::string& baseline);

// The changes larger than `percent` of their resource's level (`--fail-on-growth PCT`).
std::vector<FigureChange> changes_above(const std::vector<FigureChange>& changes, double percent);

// A plain-text table for the terminal.
std::string format_growth_table(const std::vector<FigureChange>& changes);

}  // namespace leakgate::reports
