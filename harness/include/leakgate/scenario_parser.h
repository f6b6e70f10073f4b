// Reads a scenario YAML file into the validated model of scenario.h.
//
// Every problem is a ScenarioError whose what() is
//   "file:line:column: <what was wrong>; <what is allowed>"
// (line and column 1-based), so editors and CI logs can jump to it. The parser reads only
// the given file: no processes, no other I/O.
#pragma once

#include <cstddef>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "leakgate/scenario.h"

namespace leakgate {

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLocation where, std::string problem, std::string allowed = {});
  const SourceLocation& where() const { return where_; }
  const std::string& problem() const { return problem_; }  // what was wrong
  const std::string& allowed() const { return allowed_; }  // what is allowed ("" if obvious)

 private:
  SourceLocation where_;
  std::string problem_;
  std::string allowed_;
};

// Input limits, checked before YAML parsing (yaml-cpp recurses per nesting level).
inline constexpr size_t kMaxScenarioBytes = 1 << 20;
inline constexpr int kMaxScenarioNesting = 64;

// `extra_variables` are the names given with `leakgate run --var NAME=VALUE`; templates may
// use them everywhere, besides the builtins of variables.h and (in steps) variables saved
// by an earlier step.
Scenario parse_scenario_text(std::string_view text, const std::string& filename,
                             const std::set<std::string>& extra_variables = {});

// A daemon block alone, as under a scenario's `daemon:` (same keys, checks and messages), for
// front-ends that take the daemon from YAML (leakgate/leak_test.h). `filename` names it in
// errors.
DaemonSpec parse_daemon_text(std::string_view text, const std::string& filename,
                             const std::set<std::string>& extra_variables = {});

// Reads the file (at most kMaxScenarioBytes) and parses it; Scenario::file is `path`.
Scenario parse_scenario_file(const std::string& path,
                             const std::set<std::string>& extra_variables = {});

}  // namespace leakgate
