#include "judge/judgement.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "judge/attribution.h"
#include "judge/unread_reasons.h"
#include "leakgate/metrics.h"
#include "leakgate/units.h"
#include "spawn/python_agent.h"

namespace leakgate {
namespace {

std::optional<double> frame_value(const std::optional<Frame>& frame, const std::string& metric) {
  if (!frame) return std::nullopt;
  auto it = frame->find(metric);
  if (it == frame->end() || std::isnan(it->second)) return std::nullopt;
  return it->second;
}

constexpr const char* kOrphans = "daemon.orphans";

bool is_counted_kind(const std::string& metric) {
  auto info = find_metric(metric);
  return !info || info->source == MetricSource::kCounter;
}

// The Python agent's dump holds the sites of every type that grew (spawn/python_agent.h),
// not only the violated ones: a leaked engine drags ~20 library types along, and the page
// shows each where it was made (daemon.pylib.* are reported, never judged by default).
void add_grown_python_types(const nlohmann::json& dump, nlohmann::json& objects) {
  if (!dump.is_object() || !dump.contains("kinds") || !dump["kinds"].is_array()) return;
  for (const auto& entry : dump["kinds"]) {
    const std::string kind = entry.is_object() ? entry.value("kind", "") : "";
    const std::string metric = "daemon." + kind;
    const bool python =
        metric.rfind(kPythonTypePrefix, 0) == 0 || metric.rfind(kPythonLibraryTypePrefix, 0) == 0;
    if (!python || objects.contains(metric)) continue;
    if (auto groups = live_groups_of(dump, kind); !groups.empty())
      objects[metric] = std::move(groups);
  }
}

std::set<std::string> observed_metrics(const RunRecord& record, const Scenario& scenario) {
  std::set<std::string> names;
  for (const auto* frame : {&record.baseline, &record.final}) {
    if (*frame) {
      for (const auto& [metric, value] : **frame) names.insert(metric);
    }
  }
  for (const auto& [metric, budget] : scenario.budgets) names.insert(metric);
  if (record.descendants_checked) names.insert(kOrphans);
  return names;
}

Observations observe_run(const RunRecord& record, const Scenario& scenario) {
  std::map<std::string, MetricObservation> observations;
  for (const auto& metric : observed_metrics(record, scenario)) {
    MetricObservation observation;
    observation.baseline = frame_value(record.baseline, metric);
    observation.final = frame_value(record.final, metric);
    // A counted kind appears in the registry with its first object: absent at the baseline
    // means none existed yet, not "unknown" (else a leak of a new kind goes unjudged).
    if (!observation.baseline && observation.final && record.baseline && is_counted_kind(metric)) {
      observation.baseline = 0.0;
    }
    for (const double value : record.checkpoints.values(metric)) {
      if (!std::isnan(value)) observation.checkpoints.push_back(value);
    }
    observation.iterations_per_checkpoint = record.checkpoints.iterations_apart(metric);
    // The exact peak over the measured phase (up to its last checkpoint), kept as it sampled.
    const double peak = record.timeline.peak(metric);
    if (!std::isnan(peak)) observation.peak = peak;
    if (record.daemon_at_exit && metric.rfind("daemon.", 0) == 0) {
      for (const auto& kind : record.daemon_at_exit->kinds) {
        if ("daemon." + kind.name == metric) observation.at_exit = static_cast<double>(kind.live);
      }
    }
    if (auto it = record.client_at_exit.find(metric); it != record.client_at_exit.end()) {
      observation.at_exit = it->second;
    }
    if (metric == kOrphans && record.descendants_checked) {
      observation.at_exit = static_cast<double>(record.escaped.size());
    }
    observations[metric] = observation;
  }
  return observations;
}

// Which step each violated metric's growth came from (RunRecord::step_growth), worded for the
// verdict: "daemon.fds +1.0 per iteration, all of it in step 2 (http GET /work)".
void attribute_steps(const RunRecord& record, const Evaluation& evaluation, Judgement& judgement) {
  std::set<std::string> metrics;
  for (const auto& violation : evaluation.violations) metrics.insert(violation.metric);
  for (const auto& metric : metrics) {
    if (auto attribution = attribute_to_steps(record.step_growth, metric)) {
      // The headline figure is the judged one (the checkpoints' slope): the steps' sums also
      // count what the first iteration opened once (a client's kept-alive connection).
      const auto figures = judgement.figures.find(metric);
      if (figures != judgement.figures.end() && figures->second.per_iter.value_or(0) > 0)
        attribution->per_iter = *figures->second.per_iter;
      judgement.attribution_lines.push_back(
          format_step_attribution(*attribution, record.step_growth.steps));
      judgement.step_attributions.push_back(std::move(*attribution));
    }
  }
}

// Known leaks (Scenario::known_leaks): covered violations leave the evaluation; a line each,
// and a warning for each stale entry.
void apply_known(const Scenario& scenario, const RunRecord& record, Judgement& judgement) {
  if (scenario.known_leaks.empty()) return;
  const LeakSites sites{judgement.objects, judgement.step_attributions, record.step_growth.steps};
  judgement.known_leaks =
      apply_known_leaks(scenario.known_leaks, judgement.evaluation, judgement.figures, sites,
                        record.today.empty() ? record.started_at.substr(0, 10) : record.today,
                        record.completed_iterations);
  for (const KnownLeakResult& result : judgement.known_leaks) {
    if (result.state == KnownLeakResult::State::kStale)
      judgement.warnings.push_back(result.line);
    else
      judgement.attribution_lines.push_back(result.line);
  }
}

// The worker (not the spawned root) `pid` was at the final snapshot, if it was one.
const TreeProcessFigures* worker_of(const RunRecord& record, pid_t pid) {
  for (const TreeProcessFigures& process : record.final_processes)
    if (process.pid == pid && process.role == "worker") return &process;
  return nullptr;
}

std::string name_pids(const std::vector<const TreeMember*>& members) {
  std::string text;
  for (size_t i = 0; i < members.size() && i < 5; ++i) {
    text += (i ? ", " : "") + std::to_string(members[i]->pid) + " (" + members[i]->name + ")";
  }
  if (members.size() > 5) text += " and " + std::to_string(members.size() - 5) + " more";
  return text;
}

// daemon.children grew: who is in the tree at the final snapshot, zombies apart (a parent that
// never waits for its children leaks their process table entries).
void name_children(const RunRecord& record, nlohmann::json& objects,
                   std::vector<std::string>& lines) {
  std::map<pid_t, std::vector<const TreeMember*>> zombies_by_parent;
  std::vector<const TreeMember*> live;
  nlohmann::json tree = nlohmann::json::array();
  for (const TreeMember& member : record.final_tree) {
    tree.push_back({{"pid", member.pid}, {"parent", member.parent}, {"name", member.name},
                    {"state", member.zombie ? "zombie" : "alive"}});
    if (member.zombie)
      zombies_by_parent[member.parent].push_back(&member);
    else
      live.push_back(&member);
  }
  objects["daemon.children"] = std::move(tree);
  for (const auto& [parent, zombies] : zombies_by_parent) {
    lines.push_back(std::to_string(zombies.size()) + " zombie(s), exited and never reaped by " +
                    (parent == record.daemon_pid ? "the daemon" : "their parent") + " (pid " +
                    std::to_string(parent) + "): pid " + name_pids(zombies));
  }
  if (!live.empty()) {
    lines.push_back(std::to_string(live.size()) + " live process(es) in the daemon's tree: pid " +
                    name_pids(live));
  }
}

// The modules of sites that have no function name ("?? (/usr/bin/memcached+0xd26f)"): a
// stripped program or library whose debug symbols are not installed.
std::vector<std::string> unnamed_modules(const std::vector<std::pair<std::string, int64_t>>& sites) {
  std::vector<std::string> modules;
  for (const auto& [site, count] : sites) {
    if (site.rfind("?? (", 0) != 0) continue;
    const size_t plus = site.rfind('+');
    if (plus == std::string::npos || plus < 4) continue;
    const std::string module = site.substr(4, plus - 4);
    if (std::find(modules.begin(), modules.end(), module) == modules.end())
      modules.push_back(module);
  }
  return modules;
}

}  // namespace

Judgement judge(const Scenario& scenario, const RunRecord& record,
                const HistoryPeaks& history_peaks) {
  Judgement judgement;
  judgement.observations = observe_run(record, scenario);
  const Observations& observations = judgement.observations;
  judgement.evaluation =
      evaluate(observations, scenario, history_peaks,
               unread_reasons(record.sources, record.at_exit_unmeasured, scenario));
  const Evaluation& evaluation = judgement.evaluation;
  judgement.figures = figures_of(observations, evaluation);
  attribute_steps(record, evaluation, judgement);

  // Attribution for what was violated: live objects by creation stack, new fds.
  nlohmann::json objects = nlohmann::json::object();
  std::vector<std::string> attribution_lines = std::move(judgement.attribution_lines);
  std::set<std::string> violated_metrics;
  for (const auto& violation : evaluation.violations) violated_metrics.insert(violation.metric);
  for (const auto& metric : violated_metrics) {
    // A preloaded daemon's fds carry creation stacks as the counted kind "fds" (preload/).
    const bool fd_metric = metric.rfind("daemon.fds", 0) == 0;
    if (!is_counted_kind(metric) && !fd_metric) continue;
    const std::string key = fd_metric ? "daemon.fds" : metric;
    if (objects.contains(key)) continue;
    const bool daemon_side = metric.rfind("daemon.", 0) == 0;
    const std::string kind = fd_metric ? "fds" : metric.substr(metric.find('.') + 1);
    auto groups =
        live_groups_of(daemon_side ? record.daemon_live_objects : record.client_live_objects, kind);
    if (groups.empty()) continue;
    objects[key] = groups;
    // Stacks that differ only below the project's frames share a site: one line each.
    std::vector<std::pair<std::string, int64_t>> by_site;
    for (const auto& group : groups) {
      const std::string site = group["site"].get<std::string>();
      auto it = std::find_if(by_site.begin(), by_site.end(),
                             [&](const auto& entry) { return entry.first == site; });
      if (it == by_site.end())
        by_site.emplace_back(site, group["count"].get<int64_t>());
      else
        it->second += group["count"].get<int64_t>();
    }
    std::stable_sort(by_site.begin(), by_site.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (size_t i = 0; i < by_site.size() && i < 3; ++i) {
      attribution_lines.push_back(std::to_string(by_site[i].second) + " live " + key +
                                  " created at " + by_site[i].first);
    }
    if (by_site.size() > 3) {
      int64_t more = 0;
      for (size_t i = 3; i < by_site.size(); ++i) more += by_site[i].second;
      attribution_lines.push_back("… and " + std::to_string(more) + " more at " +
                                  std::to_string(by_site.size() - 3) +
                                  " other site(s) (the page lists every one)");
    }
    for (const std::string& module : unnamed_modules(by_site)) attribution_lines.push_back(
        "no names for " + module + " (stripped): install its debug symbols (Debian: `dpkg -S " +
        module + "` names its package; add that package's -dbgsym from the debian-debug archive)");
  }
  add_grown_python_types(record.daemon_live_objects, objects);
  const nlohmann::json fresh_fds = new_fds(record.baseline_fds, record.final_fds);
  bool fds_violated = false;
  for (const auto& metric : violated_metrics) {
    if (metric.rfind("daemon.fds", 0) == 0) fds_violated = true;
  }
  if (fds_violated && !fresh_fds.empty()) {
    // Socket and pipe targets are unique inodes: count those by type, files by path.
    std::map<std::pair<pid_t, std::string>, int> by_target;
    for (const auto& fd : fresh_fds) {
      const std::string type = fd["type"].get<std::string>();
      by_target[{fd.value("pid", pid_t{-1}), type == "file" || type == "other"
                                                  ? fd["target"].get<std::string>()
                                                  : type + " fds"}]++;
    }
    std::vector<std::pair<std::pair<pid_t, std::string>, int>> largest(by_target.begin(),
                                                                         by_target.end());
    std::stable_sort(largest.begin(), largest.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    int shown = 0;
    for (const auto& [key, count] : largest) {
      if (shown++ == 3) break;
      const TreeProcessFigures* worker = worker_of(record, key.first);
      attribution_lines.push_back(
          worker ? "+" + std::to_string(count) + " " + key.second + " in worker " +
                       std::to_string(worker->pid) + " (" + worker->name + ")"
                 : std::to_string(count) + " new daemon fd(s): " + key.second);
    }
  }

  // A preloaded daemon's sampled allocations: growth by site between the two dumps.
  if (violated_metrics.count("daemon.heap") != 0) {
    nlohmann::json sites =
        heap_site_growth(record.daemon_live_objects_baseline, record.daemon_live_objects);
    for (size_t i = 0; i < sites.size() && i < 3; ++i) {
      attribution_lines.push_back("heap grew ~" + format_bytes(sites[i]["bytes"].get<double>()) +
                                  " in ~" + std::to_string(sites[i]["count"].get<int64_t>()) +
                                  " blocks at " + sites[i]["site"].get<std::string>() +
                                  " (sampled allocations)");
    }
    if (!sites.empty()) objects["daemon.heap"] = std::move(sites);
  }

  if (violated_metrics.count(kOrphans) && !record.escaped.empty()) {
    nlohmann::json orphans = nlohmann::json::array();
    for (const EscapedProcess& process : record.escaped) {
      orphans.push_back({{"pid", process.pid}, {"command_line", process.command_line}});
    }
    objects[kOrphans] = std::move(orphans);
    for (size_t i = 0; i < record.escaped.size() && i < 5; ++i) {
      attribution_lines.push_back("left running after the daemon stopped (then killed): pid " +
                                  std::to_string(record.escaped[i].pid) + " " +
                                  record.escaped[i].command_line);
    }
    if (record.escaped.size() > 5) {
      attribution_lines.push_back("... and " + std::to_string(record.escaped.size() - 5) +
                                  " more (result.json attribution.objects)");
    }
  }

  if (violated_metrics.count("daemon.children") && !record.final_tree.empty()) {
    name_children(record, objects, attribution_lines);
  }

  if (record.heap_growth) {
    const auto& sites = record.heap_growth->sites;
    for (size_t i = 0; i < sites.size() && i < 3; ++i) {
      attribution_lines.push_back("heap grew " + format_bytes(static_cast<double>(sites[i].bytes)) +
                                  " in " + std::to_string(sites[i].objects) + " objects at " +
                                  sites[i].function + " (heap profile)");
    }
  }

  judgement.objects = std::move(objects);
  judgement.new_fds = fresh_fds;
  judgement.attribution_lines = std::move(attribution_lines);
  apply_known(scenario, record, judgement);
  judgement.verdict = verdict_of(record, judgement.evaluation, judgement.attribution_lines,
                                 judgement.warnings);
  return judgement;
}

Judgement judge(const Scenario& scenario, const RunRecord& record,
                const RunCalibration& calibration) {
  Scenario calibrated = scenario;
  calibrated.budgets = calibration.budgets;
  return judge(calibrated, record, calibration.history_peaks);
}

}  // namespace leakgate
