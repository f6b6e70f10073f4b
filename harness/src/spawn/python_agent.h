// daemon: {python: true}: leakgate's Python agent (harness/src/python/sitecustomize.py),
// injected from outside through PYTHONPATH, asked over a Unix socket in the work directory.
#pragma once

#include <filesystem>
#include <map>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakgate {

// The directory holding the agent's sitecustomize.py: $LEAKGATE_PYTHON_AGENT_DIR, else the
// installed one beside the executable, else the source tree's (compiled in).
std::string python_agent_directory();

// Live objects per qualified type and tracemalloc's heap, as figures:
//   daemon.py.heap               traced bytes after a full collection
//   daemon.py.<module.Type>      live objects of a type the daemon's own code defines (the
//                                agent: its module's file is outside the standard library
//                                and site/dist-packages) or of a well-known resource type
//                                (kWellKnownPythonResources): judged by default
//   daemon.pylib.<module.Type>   any other library or builtin type: reported, judged only
//                                when a scenario budgets it (one leaked engine drags ~20
//                                library types along; the root type is what a user needs)
// Characters outside [A-Za-z0-9_.] become _.
inline constexpr const char* kPythonHeapMetric = "daemon.py.heap";
inline constexpr const char* kPythonTypePrefix = "daemon.py.";
inline constexpr const char* kPythonLibraryTypePrefix = "daemon.pylib.";

// Library types that own a resource (a pool, connections, a thread) and that code makes and
// must close itself: a steady count of them is a leak by itself. What they own (a session's
// connector, an engine's pool) is not listed: one leak, one violation. Sockets and files are
// judged by daemon.fds.
inline constexpr const char* kWellKnownPythonResources[] = {
    "aiohttp.client.ClientSession",
    "sqlalchemy.engine.base.Engine",
    "sqlalchemy.ext.asyncio.engine.AsyncEngine",
    "sqlalchemy.orm.session.Session",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "asyncio.unix_events._UnixSelectorEventLoop",
    "concurrent.futures.thread.ThreadPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
    "subprocess.Popen",
    "threading.Thread",
};

class PythonAgent {
 public:
  PythonAgent(const std::filesystem::path& workdir, int tracemalloc_depth);

  // PYTHONPATH (the agent first, the daemon's own after it), the socket, and the traceback
  // depth (LEAKGATE_PY_TRACEMALLOC, not PYTHONTRACEMALLOC: tracing starts at the baseline).
  void add_environment(std::map<std::string, std::string>& env) const;

  // Once the daemon is ready: tracemalloc starts in it with the next request, the baseline's
  // snapshot (the imports and the warm-up before are not traced: 1.5 s of http.server's
  // start-up, 20-30 ms of its warm-up). False (and error()) when the agent did not answer.
  bool start_tracing(int timeout_ms = 10000);

  // A full collection in the daemon, then its counts; nullopt (and error()) when it did not
  // answer within `timeout_ms`. The agent freezes what was live at its last exact count and
  // collects only what came since (leakgate_counting.py); `final` collects and counts it all.
  std::optional<std::map<std::string, double>> figures(bool final = false,
                                                       int timeout_ms = 10000);

  // The figures a run keeps: all of them are asked for each time, but a type whose count
  // never left its baseline value is left out of the record (thousands of types, few move).
  // At the baseline and the final always; between them at the checkpoints of the cadence
  // (python_snapshot_stride, decided at checkpoint 1 from the baseline's cost and the first
  // iteration's wall; every checkpoint when `planned_iterations` is 0: iterations: auto or a
  // soak's duration). A checkpoint not due gets no Python figure (NaN in its series;
  // Checkpoints::iterations_apart spaces the slope). Each returns false (and error()) when
  // the agent did not answer.
  bool at_baseline(int planned_iterations);
  bool add_to_checkpoint(std::map<std::string, double>& checkpoint, int iteration);
  bool add_to_final(std::map<std::string, double>& final, std::map<std::string, double>& baseline);

  // When the checkpoints were thinned, how and why, for the run's notes; empty otherwise.
  std::string cadence_note() const;

  // For each metric named (daemon.py.<type>): where a sample of its live objects were made,
  // in the live-objects dump format judge/attribution.h reads ({"kinds": [{"kind": "py.T",
  // "groups": [{"count", "frames"}]}]}).
  nlohmann::json sites(const std::vector<std::string>& metrics, int sample = 200);

  // ResourceWarnings the daemon raised (describe_resource_warnings).
  std::vector<std::string> resource_warnings() const;

  // When the agent took up the full traceback depth, and why (it traces one frame until a
  // type grows: leakgate_tracing.py); empty while it has not.
  const std::string& tracing_deepened() const { return deepened_by_; }

  const std::string& error() const { return error_; }

 private:
  std::optional<nlohmann::json> ask(const nlohmann::json& request, int timeout_ms);
  bool add_figures(std::map<std::string, double>& frame, bool final = false);

  std::filesystem::path socket_path_;
  std::filesystem::path warnings_path_;
  int depth_;
  std::map<std::string, std::string> type_of_metric_;  // sanitized metric -> Python type
  // The agent answers only what changed since its previous answer: the whole picture here.
  std::map<std::string, double> live_by_type_;
  std::set<std::string> user_types_;
  std::string deepened_by_;
  std::string taken_at_ = "the baseline";  // the snapshot being taken, for deepened_by_
  int planned_iterations_ = 0;
  int stride_ = 0;  // iterations between two checkpoint snapshots; 0 until checkpoint 1
  int taken_ = 0;   // checkpoint snapshots taken
  double baseline_ms_ = 0;
  double iteration_ms_ = 0;
  std::chrono::steady_clock::time_point baseline_done_;
  std::map<std::string, double> baseline_;
  std::map<std::string, bool> moved_;  // metrics that differed from the baseline once
  std::string error_;
};

// The agent's ResourceWarning lines (JSON) in words, alike ones merged:
//   "ResourceWarning at file:30 (23 times): unclosed <socket.socket ...> (allocated at
//    local_address (file:46) <- Handler.do_GET (file:30))"
// file:line is where the warning was raised (the last reference dropped), "allocated at" the
// object's tracemalloc traceback, the daemon's own frames first.
std::vector<std::string> describe_resource_warnings(std::string_view json_lines);

// The figure's name for a Python type: daemon.py.<type> when `user_code` or a well-known
// resource type, else daemon.pylib.<type>.
std::string python_type_metric(const std::string& type_name, bool user_code);

// The agent's cadence. A snapshot is a full collection and a count of every live object
// (http.server: ~8 ms of daemon CPU, about one iteration of 3 requests): asked after every
// iteration it was a third of the run's wall. So the agent is asked every n-th iteration,
// the fewest n for which a snapshot costs at most kPythonSnapshotShare of the iterations
// between two, but never so few that fewer than kMinPythonCheckpoints of
// `planned_iterations` get one (1 when planned_iterations < 2 * kMinPythonCheckpoints or is 0).
inline constexpr double kPythonSnapshotShare = 0.25;
inline constexpr int kMinPythonCheckpoints = 16;
int python_snapshot_stride(double snapshot_ms, double iteration_ms, int planned_iterations);

}  // namespace leakgate
