#include "scenario_files.h"

#include <cstdio>
#include <set>

#include "leakgate/client_operations.h"
#include "leakgate/scenario_parser.h"

namespace leakgate::cli {
namespace {

// --var assignments into `vars`; false (after a message naming `command`) for a malformed one.
bool parse_var_assignments(const std::vector<std::string>& assignments,
                           std::map<std::string, std::string>& vars, const char* command) {
  for (const auto& assignment : assignments) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::fprintf(stderr, "%s: --var expects NAME=VALUE, got '%s'\n", command, assignment.c_str());
      return false;
    }
    vars[assignment.substr(0, equals)] = assignment.substr(equals + 1);
  }
  return true;
}

// Every file parsed and its client steps checked; nullopt after printing each problem
// (file:line:column) when one is bad.
std::optional<std::vector<Scenario>> load_scenarios(const std::vector<std::string>& files,
                                                    const std::map<std::string, std::string>& vars,
                                                    const char* command) {
  std::set<std::string> var_names;
  for (const auto& [name, value] : vars) var_names.insert(name);
  std::vector<Scenario> scenarios;
  bool bad = false;
  bool undefined_hint = false;
  for (const auto& file : files) {
    try {
      Scenario scenario = parse_scenario_file(file, var_names);
      validate_client_steps(scenario);  // against the operations linked into this executable
      scenarios.push_back(std::move(scenario));
    } catch (const ScenarioError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      if (e.problem().find("undefined variable") != std::string::npos && !undefined_hint) {
        std::fprintf(stderr,
                     "%s: define a variable with --var NAME=VALUE "
                     "(e.g. --var DAEMON=build/mydaemon)\n",
                     command);
        undefined_hint = true;
      }
      bad = true;
    }
  }
  if (bad) return std::nullopt;
  return scenarios;
}

}  // namespace

void ScenarioFiles::add_files_option(CLI::App& command, const std::string& help) {
  command.add_option("files", files, help)->required()->check(CLI::ExistingFile);
}

void ScenarioFiles::add_var_option(CLI::App& command, const std::string& help) {
  command.add_option("--var", vars, help);
}

std::optional<std::vector<Scenario>> ScenarioFiles::load(
    std::map<std::string, std::string>& variables, const char* command) const {
  if (!parse_var_assignments(vars, variables, command)) return std::nullopt;
  return load_scenarios(files, variables, command);
}

}  // namespace leakgate::cli
