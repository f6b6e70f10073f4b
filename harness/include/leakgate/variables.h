// ${NAME} templates in scenario strings: expansion at run time, validation at parse time.
//
// Syntax: "${NAME}" is replaced by the variable's value; "$$" is a literal "$"; any other
// "$" is kept as is (so shell snippets like "$HOME" pass through). NAME is letters, digits
// and '_', not starting with a digit.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leakgate {

// Plain std::map so run options (std::map<std::string, std::string>) assign to it directly.
using Variables = std::map<std::string, std::string>;

// Builtins the runner defines (harness/src/run/engine_prepare.cpp, spawn/step_executor.cpp). Daemon
// fields (command, env, wrapper, endpoint) see only the ones known before the daemon starts;
// steps see all of them plus variables saved earlier. Anything else (TRACKERD in the shipped
// scenarios) must come from --var NAME=VALUE, so a missing one is a parse error, found
// before a daemon starts.
inline constexpr std::string_view kDaemonBuiltinVariables[] = {"WORKDIR", "PORT", "TEST"};
// COPY: the number of the copy inside a `parallel:` step (step_executor.cpp sets it).
inline constexpr std::string_view kStepBuiltinVariables[] = {"WORKDIR", "PORT", "TEST", "ITER",
                                                             "ENDPOINT", "COPY"};

// what() says what was wrong and what is allowed; offset is where in the template.
class VariableError : public std::invalid_argument {
 public:
  VariableError(const std::string& what, size_t offset)
      : std::invalid_argument(what), offset_(offset) {}
  size_t offset() const { return offset_; }

 private:
  size_t offset_;
};

bool is_valid_variable_name(std::string_view name);

// Expands every ${NAME}. Throws VariableError on an undefined variable, an unterminated
// "${" or an invalid name.
std::string expand_variables(std::string_view text, const Variables& values);

// Fills in the ${NAME}s that `values` defines and keeps the template a template: every other
// ${NAME} stays, and each literal "$" (of the text or of a value) is written "$$", so that
// expanding the result later gives what expanding the text with all the values would. For
// templates filled in two steps: a LeakTest's own variables first, the runner's at run time.
std::string bind_variables(std::string_view text, const Variables& values);

// Names referenced by a template, in order of first use, each once. Throws VariableError
// on an unterminated "${" or an invalid name (not on undefined ones: there is no map).
std::vector<std::string> referenced_variables(std::string_view text);

}  // namespace leakgate
