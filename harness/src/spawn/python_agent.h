// daemon: {python: true}: leakgate's Python agent (harness/src/python/sitecustomize.py),
// injected from outside through PYTHONPATH, asked over a Unix socket in the work directory.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakgate {

// The directory holding the agent's sitecustomize.py: $LEAKGATE_PYTHON_AGENT_DIR, else the
// installed one beside the executable, else the source tree's (compiled in).
std::string python_agent_directory();

// Live objects per qualified type and tracemalloc's heap, as figures:
//   daemon.py.heap            traced bytes after a full collection
//   daemon.py.<module.Type>   live objects of that type (characters outside [A-Za-z0-9_.] -> _)
inline constexpr const char* kPythonHeapMetric = "daemon.py.heap";
inline constexpr const char* kPythonTypePrefix = "daemon.py.";

class PythonAgent {
 public:
  PythonAgent(const std::filesystem::path& workdir, int tracemalloc_depth);

  // PYTHONPATH (the agent first, the daemon's own after it), PYTHONTRACEMALLOC, the socket.
  void add_environment(std::map<std::string, std::string>& env) const;

  // A full collection in the daemon, then its counts; nullopt (and error()) when it did not
  // answer within `timeout_ms`.
  std::optional<std::map<std::string, double>> figures(int timeout_ms = 10000);

  // The figures a run keeps: all of them are asked for each time, but a type whose count
  // never left its baseline value is left out of the record (thousands of types, few move).
  // Each returns false (and error()) when the agent did not answer.
  bool at_baseline();
  bool add_to_checkpoint(std::map<std::string, double>& checkpoint);
  bool add_to_final(std::map<std::string, double>& final, std::map<std::string, double>& baseline);

  // For each metric named (daemon.py.<type>): where a sample of its live objects were made,
  // in the live-objects dump format judge/attribution.h reads ({"kinds": [{"kind": "py.T",
  // "groups": [{"count", "frames"}]}]}).
  nlohmann::json sites(const std::vector<std::string>& metrics, int sample = 200);

  // ResourceWarnings the daemon raised: "ResourceWarning at file:line: message".
  std::vector<std::string> resource_warnings() const;

  const std::string& error() const { return error_; }

 private:
  std::optional<nlohmann::json> ask(const nlohmann::json& request, int timeout_ms);

  std::filesystem::path socket_path_;
  std::filesystem::path warnings_path_;
  int depth_;
  std::map<std::string, std::string> type_of_metric_;  // sanitized metric -> Python type
  std::map<std::string, double> baseline_;
  std::map<std::string, bool> moved_;  // metrics that differed from the baseline once
  std::string error_;
};

// The figure's name for a Python type.
std::string python_type_metric(const std::string& type_name);

}  // namespace leakgate
