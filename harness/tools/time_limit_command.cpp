// leakgate time-limit: how long a run of each scenario may take at most (leakgate/time_limit.h),
// printed, or written as the CTest TIMEOUT of its tests (leakgate_add_scenarios reads it).
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "leakgate/time_limit.h"
#include "scenario_files.h"
#include "subcommand.h"

namespace leakgate::cli {
namespace {

struct TimeLimitOptions {
  ScenarioFiles scenarios;
  std::string cmake_output;
  std::string prefix = "leak.";
  bool selftests = false;  // leakgate_add_scenarios(... PROVE_WITHOUT_INJECTION) made twins

  void add_options(CLI::App& command) {
    scenarios.add_files_option(command, "scenario files");
    scenarios.add_var_option(command, "NAME=VALUE for ${NAME} in the scenarios");
    command.add_option("--cmake", cmake_output,
                       "write set_tests_properties(... TIMEOUT) lines to this file");
    command.add_option("--prefix", prefix, "test name prefix (default leak.)");
    command.add_flag("--selftests", selftests,
                     "also selftest.<name>.without-injection (PROVE_WITHOUT_INJECTION)");
  }
};

int time_limit(const TimeLimitOptions& options) {
  std::map<std::string, std::string> vars;
  const auto scenarios = options.scenarios.load(vars, "leakgate time-limit");
  if (!scenarios) return 2;
  std::string cmake = "# Written by `leakgate time-limit`: each scenario test's TIMEOUT.\n";
  for (const Scenario& scenario : *scenarios) {
    const long seconds = static_cast<long>((scenario_time_limit(scenario).count() + 999) / 1000);
    if (options.cmake_output.empty()) {
      std::printf("%ld s  %s (%s%s)\n", seconds, scenario.file.c_str(), options.prefix.c_str(),
                  scenario.name.c_str());
      continue;
    }
    // The scenario's test and, where leakgate_add_scenarios made them, its selftest twin.
    cmake += "set_tests_properties([=[" + options.prefix + scenario.name +
             "]=] PROPERTIES TIMEOUT " + std::to_string(seconds) + ")\n";
    if (options.selftests) {
      cmake += "set_tests_properties([=[selftest." + scenario.name +
               ".without-injection]=] PROPERTIES TIMEOUT " + std::to_string(seconds) + ")\n";
    }
  }
  if (options.cmake_output.empty()) return 0;
  std::ofstream out(options.cmake_output, std::ios::trunc);
  out << cmake;
  out.close();
  if (!out) {
    std::fprintf(stderr, "leakgate time-limit: cannot write %s\n", options.cmake_output.c_str());
    return 2;
  }
  return 0;
}

}  // namespace

void define_time_limit_command(CLI::App& command, int* exit_code) {
  define_subcommand<TimeLimitOptions>(command, exit_code, time_limit);
}

}  // namespace leakgate::cli
