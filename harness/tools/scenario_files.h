// What `leakgate run` and `leakgate calibrate` share before anything runs: --var NAME=VALUE
// and every scenario file validated up front (a typo costs seconds, not a suite run).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "leakgate/scenario.h"

namespace leakgate::cli {

// --var assignments into `vars`; false (after a message naming `command`) for a malformed one.
bool parse_var_assignments(const std::vector<std::string>& assignments,
                           std::map<std::string, std::string>& vars, const char* command);

// Every file parsed and its client steps checked; nullopt after printing each problem
// (file:line:column) when one is bad.
std::optional<std::vector<Scenario>> load_scenarios(const std::vector<std::string>& files,
                                                    const std::map<std::string, std::string>& vars,
                                                    const char* command);

}  // namespace leakgate::cli
