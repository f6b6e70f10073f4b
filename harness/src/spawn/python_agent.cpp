#include "spawn/python_agent.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "leakgate/unique_fd.h"

namespace leakgate {
namespace {

std::string agent_beside_executable() {
#ifdef LEAKGATE_PYTHON_AGENT_FROM_BINDIR
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  const auto candidate =
      (executable.parent_path() / LEAKGATE_PYTHON_AGENT_FROM_BINDIR).lexically_normal();
  if (std::filesystem::is_regular_file(candidate / "sitecustomize.py", error))
    return candidate.string();
#endif
  return {};
}

// Writes all of `text`, then reads until the agent closes, both within the deadline.
std::optional<std::string> exchange(int fd, const std::string& text,
                                    std::chrono::steady_clock::time_point deadline) {
  size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return std::nullopt;
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  char buffer[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    if (n == 0) return reply;
    reply.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

std::string python_agent_directory() {
  if (const char* dir = std::getenv("LEAKGATE_PYTHON_AGENT_DIR"); dir != nullptr && *dir != '\0')
    return dir;
  if (std::string installed = agent_beside_executable(); !installed.empty()) return installed;
#ifdef LEAKGATE_PYTHON_AGENT_DIR
  return LEAKGATE_PYTHON_AGENT_DIR;
#else
  return {};
#endif
}

std::string python_type_metric(const std::string& type_name, bool user_code) {
  bool judged = user_code;
  for (const char* known : kWellKnownPythonResources) judged = judged || type_name == known;
  std::string name = judged ? kPythonTypePrefix : kPythonLibraryTypePrefix;
  for (char c : type_name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '_' || c == '.';
    name += plain ? c : '_';
  }
  return name;
}

PythonAgent::PythonAgent(const std::filesystem::path& workdir, int tracemalloc_depth)
    : socket_path_(workdir / "python-agent.sock"),
      warnings_path_(workdir / "python-warnings.jsonl"),
      depth_(tracemalloc_depth) {}

void PythonAgent::add_environment(std::map<std::string, std::string>& env) const {
  std::string path = python_agent_directory();
  std::string rest;
  if (auto it = env.find("PYTHONPATH"); it != env.end())
    rest = it->second;
  else if (const char* inherited = std::getenv("PYTHONPATH"))
    rest = inherited;
  env["PYTHONPATH"] = rest.empty() ? path : path + ":" + rest;
  env["LEAKGATE_PY_TRACEMALLOC"] = std::to_string(depth_);
  env["LEAKGATE_PY_SOCKET"] = socket_path_.string();
  env["LEAKGATE_PY_WARNINGS"] = warnings_path_.string();
}

std::optional<nlohmann::json> PythonAgent::ask(const nlohmann::json& request, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket_path_.string();
  if (path.size() >= sizeof(address.sun_path)) {
    error_ = "the agent's socket path is too long: " + path;
    return std::nullopt;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  // The agent's thread binds while the interpreter starts: retry until it listens.
  for (;;) {
    const UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd && connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      auto text = exchange(fd.get(), request.dump() + "\n", deadline);
      if (!text) break;
      auto reply = nlohmann::json::parse(*text, nullptr, false);
      if (reply.is_discarded() || !reply.is_object()) {
        error_ = "the Python agent answered no JSON object";
        return std::nullopt;
      }
      if (reply.contains("error")) {
        error_ = "the Python agent failed: " + reply["error"].dump();
        return std::nullopt;
      }
      return reply;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "the Python agent did not answer on " + path + " within " +
           std::to_string(timeout_ms) + " ms (is the daemon a Python 3 interpreter?)";
  return std::nullopt;
}

bool PythonAgent::start_tracing(int timeout_ms) {
  return ask({{"op", "trace"}, {"at_next", true}}, timeout_ms).has_value();
}

std::optional<std::map<std::string, double>> PythonAgent::figures(bool final, int timeout_ms) {
  auto reply = ask({{"op", "counts"}, {"changes", true}, {"final", final}}, timeout_ms);
  if (!reply) return std::nullopt;
  std::map<std::string, double> out;
  if (reply->contains("heap") && (*reply)["heap"].is_number())
    out[kPythonHeapMetric] = (*reply)["heap"].get<double>();
  if (reply->contains("user_types") && (*reply)["user_types"].is_array()) {
    for (const auto& type : (*reply)["user_types"])
      if (type.is_string()) user_types_.insert(type.get<std::string>());
  }
  if (const auto why = reply->find("deepened_by");
      deepened_by_.empty() && why != reply->end() && why->is_string()) {
    deepened_by_ =
        "tracemalloc traced one frame per allocation until " + taken_at_ + ", then " + std::to_string(depth_) + ": " + why->get<std::string>() +
        " (objects made before keep their one frame)";
  }
  if (reply->contains("types") && (*reply)["types"].is_object()) {
    for (const auto& [type, count] : (*reply)["types"].items())
      if (count.is_number()) live_by_type_[type] = count.get<double>();
  }
  for (const auto& [type, count] : live_by_type_) {
    const std::string metric = python_type_metric(type, user_types_.count(type) > 0);
    type_of_metric_[metric] = type;
    out[metric] += count;
  }
  return out;
}

int python_snapshot_stride(double snapshot_ms, double iteration_ms, int planned_iterations) {
  const int sparsest = planned_iterations / kMinPythonCheckpoints;
  if (sparsest <= 1 || !(snapshot_ms > 0)) return 1;
  if (!(iteration_ms > 0)) return sparsest;
  const double wanted = std::ceil(snapshot_ms / (kPythonSnapshotShare * iteration_ms));
  return wanted >= sparsest ? sparsest : std::max(1, static_cast<int>(wanted));
}

bool PythonAgent::at_baseline(int planned_iterations) {
  const auto start = std::chrono::steady_clock::now();
  auto now = figures();
  if (!now) return false;
  baseline_done_ = std::chrono::steady_clock::now();
  baseline_ms_ = std::chrono::duration<double, std::milli>(baseline_done_ - start).count();
  baseline_ = std::move(*now);
  moved_.clear();
  planned_iterations_ = planned_iterations;
  stride_ = 0;
  taken_ = 0;
  return true;
}

bool PythonAgent::add_to_checkpoint(std::map<std::string, double>& checkpoint, int iteration) {
  if (stride_ == 0) {  // checkpoint 1: the baseline's snapshot against one iteration's wall
    iteration_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                               baseline_done_).count();
    stride_ = python_snapshot_stride(baseline_ms_, iteration_ms_, planned_iterations_);
  }
  if (iteration % stride_ != 0) return true;
  taken_at_ = "checkpoint " + std::to_string(iteration);
  ++taken_;
  return add_figures(checkpoint);
}

bool PythonAgent::add_figures(std::map<std::string, double>& frame, bool final) {
  auto now = figures(final);
  if (!now) return false;
  for (const auto& [metric, value] : *now) {
    auto before = baseline_.find(metric);
    const double base = before == baseline_.end() ? 0 : before->second;
    if (value != base || metric == kPythonHeapMetric) moved_[metric] = true;
  }
  for (const auto& [metric, moved] : moved_) {
    auto it = now->find(metric);
    frame[metric] = it == now->end() ? 0 : it->second;
  }
  return true;
}

bool PythonAgent::add_to_final(std::map<std::string, double>& final,
                               std::map<std::string, double>& baseline) {
  std::map<std::string, double> now;
  taken_at_ = "the final snapshot";
  if (!add_figures(now, true)) return false;
  for (const auto& [metric, value] : now) {
    final[metric] = value;
    auto before = baseline_.find(metric);
    if (before != baseline_.end()) baseline[metric] = before->second;
  }
  return true;
}

std::string PythonAgent::cadence_note() const {
  if (stride_ <= 1) return {};
  char costs[96];
  std::snprintf(costs, sizeof costs, "the baseline's took %.1f ms, the first iteration %.1f ms",
                baseline_ms_, iteration_ms_);
  return "the Python agent's snapshots (a full collection, live objects by type) were taken "
         "every " + std::to_string(stride_) + " iterations, " + std::to_string(taken_) +
         " checkpoints and the final (" + costs + "; at most " +
         std::to_string(static_cast<int>(kPythonSnapshotShare * 100)) +
         " % of the wall, at least " + std::to_string(kMinPythonCheckpoints) +
         " checkpoints): daemon.py.* slopes are over those";
}

nlohmann::json PythonAgent::sites(const std::vector<std::string>& metrics, int sample) {
  nlohmann::json types = nlohmann::json::array();
  for (const auto& metric : metrics) {
    if (auto it = type_of_metric_.find(metric); it != type_of_metric_.end())
      types.push_back(it->second);
  }
  nlohmann::json dump = {{"kinds", nlohmann::json::array()}};
  if (types.empty()) return dump;
  auto reply = ask({{"op", "sites"}, {"types", types}, {"sample", sample}}, 20000);
  if (!reply || !reply->contains("sites")) return dump;
  std::map<std::string, std::string> metric_of_type;
  for (const auto& metric : metrics)
    if (auto it = type_of_metric_.find(metric); it != type_of_metric_.end())
      metric_of_type[it->second] = metric;
  for (const auto& [type, groups] : (*reply)["sites"].items()) {
    auto metric = metric_of_type.find(type);
    if (metric == metric_of_type.end() || !groups.is_array()) continue;
    nlohmann::json named = nlohmann::json::array();
    for (auto group : groups) {  // a group without frames would print "created at " and nothing
      if (!group.contains("frames") || !group["frames"].is_array() || group["frames"].empty())
        group["frames"] = {"site unknown (tracemalloc has no traceback for it)"};
      named.push_back(std::move(group));
    }
    // judge/judgement.cpp looks a metric's groups up by its name after the side: "py.<type>".
    const std::string kind = metric->second.substr(std::strlen("daemon."));
    dump["kinds"].push_back({{"kind", kind}, {"groups", named}});
  }
  return dump;
}

std::vector<std::string> PythonAgent::resource_warnings() const {
  std::ifstream in(warnings_path_);
  return describe_resource_warnings(
      std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

std::vector<std::string> describe_resource_warnings(std::string_view json_lines) {
  // One handler raises the same warning once per request: one line per (raised at, made at),
  // with the first message (fd numbers and ports differ between them) and how often.
  struct Warning {
    std::string raised_at, made_at, message;
    int count = 0;
  };
  std::vector<Warning> warnings;
  size_t at = 0;
  while (at < json_lines.size()) {
    size_t end = json_lines.find('\n', at);
    if (end == std::string_view::npos) end = json_lines.size();
    const auto entry = nlohmann::json::parse(json_lines.substr(at, end - at), nullptr, false);
    at = end + 1;
    if (entry.is_discarded() || !entry.is_object()) continue;
    Warning next{entry.value("file", "?") + ":" + std::to_string(entry.value("line", 0)), "",
                 entry.value("message", "")};
    if (const auto frames = entry.find("allocated_at");
        frames != entry.end() && frames->is_array()) {
      for (const auto& frame : *frames)
        if (frame.is_string())
          next.made_at += (next.made_at.empty() ? "" : " <- ") + frame.get<std::string>();
    }
    auto same = std::find_if(warnings.begin(), warnings.end(), [&](const Warning& w) {
      return w.raised_at == next.raised_at && w.made_at == next.made_at;
    });
    if (same == warnings.end()) same = warnings.insert(warnings.end(), std::move(next));
    ++same->count;
  }
  std::vector<std::string> out;
  for (const Warning& w : warnings) {
    out.push_back("ResourceWarning at " + w.raised_at +
                  (w.count == 1 ? "" : " (" + std::to_string(w.count) + " times)") + ": " +
                  w.message + (w.made_at.empty() ? "" : " (allocated at " + w.made_at + ")"));
  }
  return out;
}

}  // namespace leakgate
