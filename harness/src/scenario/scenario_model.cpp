// The few functions of the scenario model itself (scenario.h).
#include <csignal>
#include <cstring>

#include "leakgate/scenario.h"

namespace leakgate {
namespace {

std::string signal_name(int signal) {
  const char* description = sigabbrev_np(signal);
  return description ? std::string("SIG") + description : "signal " + std::to_string(signal);
}

struct StepDescriber {
  std::string operator()(const ClientStep& s) const { return "client " + s.op; }
  std::string operator()(const HttpStep& s) const { return "http " + s.method + " " + s.path; }
  std::string operator()(const ExecStep& s) const {
    return "exec " + (s.command.empty() ? std::string() : s.command.front());
  }
  std::string operator()(const SleepStep& s) const {
    return "sleep " + format_duration(s.duration);
  }
  std::string operator()(const SignalStep& s) const { return "signal " + signal_name(s.signal); }
  std::string operator()(const RestartStep&) const { return "restart"; }
  std::string operator()(const ParallelStep& s) const {
    const size_t count = s.steps ? s.steps->size() : 0;
    return "parallel x" + std::to_string(s.copies) + " (" + std::to_string(count) + " steps)";
  }
};

}  // namespace

std::string SourceLocation::str() const {
  if (line <= 0) return file;
  if (column <= 0) return file + ":" + std::to_string(line);
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Step::describe() const { return std::visit(StepDescriber{}, action); }

std::optional<double> Budget::*budget_member(std::string_view key) {
  if (key == "peak") return &Budget::peak;
  if (key == "growth") return &Budget::growth;
  if (key == "per_iter") return &Budget::per_iter;
  if (key == "at_exit") return &Budget::at_exit;
  if (key == "regress") return &Budget::regress;
  return nullptr;
}

}  // namespace leakgate
