// How a leakgate subcommand is registered: its arguments live as long as the app (CLI11 binds
// options to their fields), and after parsing it runs one function whose return is the exit code.
// main() creates each top-level subcommand from one table (name, --help text); its file fills it
// in with define_subcommand: the Arguments' own add_options, and the function that runs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace leakgate::cli {

// After parsing, `command` runs `body` and stores what it returns in *exit_code.
inline void on_parsed(CLI::App& command, int* exit_code, std::function<int()> body) {
  command.callback([exit_code, body = std::move(body)] { *exit_code = body(); });
}

template <typename Arguments>
struct Subcommand {
  CLI::App& command;
  Arguments& arguments;  // owned by the command's callback: bind options to its fields
};

// A subcommand `name` of `parent` that runs `run(arguments)` once its options are parsed.
template <typename Arguments>
Subcommand<Arguments> add_subcommand(CLI::App& parent, int* exit_code,
                                     std::function<int(const Arguments&)> run, std::string name,
                                     std::string description) {
  auto arguments = std::make_shared<Arguments>();
  CLI::App* command = parent.add_subcommand(std::move(name), std::move(description));
  on_parsed(*command, exit_code, [arguments, run = std::move(run)] { return run(*arguments); });
  return {*command, *arguments};
}

// Fills in `command` (created by its parent with its name and --help text): a new Arguments adds
// its options to it (Arguments::add_options), and once they are parsed run(arguments) runs.
template <typename Arguments>
void define_subcommand(CLI::App& command, int* exit_code, int (*run)(const Arguments&)) {
  auto arguments = std::make_shared<Arguments>();
  arguments->add_options(command);
  on_parsed(command, exit_code, [arguments, run] { return run(*arguments); });
}

}  // namespace leakgate::cli
