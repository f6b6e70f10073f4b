// What `leakgate run`, `calibrate` and `time-limit` share before anything runs: scenario files,
// --var NAME=VALUE, and every file validated up front (a typo costs seconds, not a suite run).
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "leakgate/scenario.h"

namespace leakgate::cli {

// The scenario files a command reads and the --var assignments for them.
struct ScenarioFiles {
  std::vector<std::string> files;
  std::vector<std::string> vars;

  // The positional files (required, existing) and --var; two calls, so each command keeps
  // its own order of options in --help.
  void add_files_option(CLI::App& command, const std::string& help = "Scenario YAML files");
  void add_var_option(CLI::App& command,
                      const std::string& help =
                          "Define ${NAME} for the scenario, e.g. --var DAEMON=build/mydaemon");

  // --var into `variables`, then every file loaded; nullopt after the messages (naming
  // `command`) when an assignment or a file is bad.
  std::optional<std::vector<Scenario>> load(std::map<std::string, std::string>& variables,
                                            const char* command) const;
};

}  // namespace leakgate::cli
