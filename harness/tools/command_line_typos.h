// A misspelt subcommand or option, named as what it is, with the closest spelling. Checked
// before CLI11 parses: CLI11 2.1 says "A subcommand is required" for `leakgate rnu x.yaml`, and
// for `leakgate run x.yaml --iteration 5` hands 5 to the positional files ("files: File does
// not exist: 5") before it ever mentions --iteration.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace leakgate::cli {

// The first unknown subcommand or option in `args` (argv without argv[0]) as one line, e.g.
// "leakgate: unknown subcommand 'rnu'; did you mean 'run'?" or "leakgate run: unknown option
// '--iteration'; did you mean '--iterations'?"; "" when every one is known. Values of options
// and positionals are CLI11's to check.
std::string first_unknown_word(CLI::App& app, const std::vector<std::string>& args);

}  // namespace leakgate::cli
