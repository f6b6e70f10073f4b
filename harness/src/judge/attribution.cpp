#include "judge/attribution.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <fstream>
#include <sstream>

#include "leakgate/proc_parse.h"

namespace leakgate {
namespace {

// "ns::Type::fn(args) const (/src/x.cpp:12)" -> {"ns::Type::fn(args) const", "/src/x.cpp:12"}.
std::pair<std::string, std::string> split_frame(const std::string& frame) {
  if (!frame.empty() && frame.back() == ')') {
    int depth = 0;
    for (size_t i = frame.size(); i-- > 0;) {
      if (frame[i] == ')') ++depth;
      if (frame[i] == '(' && --depth == 0) {
        if (i > 0 && frame[i - 1] == ' ')
          return {frame.substr(0, i - 1), frame.substr(i + 1, frame.size() - i - 2)};
        break;
      }
    }
  }
  return {frame, ""};
}

// The qualified name without return type, parameters and template arguments' noise:
// "std::unique_ptr<T> ns::make<T>(int) const" -> "ns::make<T>".
std::string function_name(const std::string& function) {
  int angle = 0;
  size_t name_start = 0;
  for (size_t i = 0; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '<') ++angle;
    if (c == '>') --angle;
    if (angle == 0 && c == ' ') name_start = i + 1;
    if (angle == 0 && c == '(') return function.substr(name_start, i - name_start);
  }
  return function.substr(name_start);
}

std::string strip_templates(const std::string& name) {
  std::string out;
  int angle = 0;
  for (char c : name) {
    if (c == '<') ++angle;
    if (angle == 0) out += c;
    if (c == '>') --angle;
  }
  return out;
}

// "ns::Engine::Engine": the counted object's own constructor, not who created it.
bool is_constructor(const std::string& name) {
  const std::string bare = strip_templates(name);
  const size_t last = bare.rfind("::");
  if (last == std::string::npos || last < 2) return false;
  const size_t previous = bare.rfind("::", last - 1);
  const size_t start = previous == std::string::npos ? 0 : previous + 2;
  return bare.substr(start, last - start) == bare.substr(last + 2);
}

// The interposed open()/socket()/... of libleakgate_preload.so: never the daemon's code.
// The preload library's own frames: its sources in a build tree, the installed library's
// name when the debug info is not at hand.
bool is_preload_frame(const std::string& frame) {
  const std::string location = split_frame(frame).second;
  return location.find("harness/src/preload/") != std::string::npos ||
         location.find("libleakgate_preload.so") != std::string::npos;
}

bool is_project_frame(const std::string& frame) {
  static const char* const kNotProject[] = {"leakgate::",   "std::", "__",           "_start", "??",
                                            "operator new", "clone", "start_thread", "main"};
  const std::string name = function_name(split_frame(frame).first);
  if (name.empty()) return false;
  for (const char* prefix : kNotProject) {
    if (name.rfind(prefix, 0) == 0) return false;
  }
  const std::string location = split_frame(frame).second;
  return location.find(".so") == std::string::npos && !is_preload_frame(frame);
}

}  // namespace

std::string short_frame(const std::string& frame) {
  auto [function, location] = split_frame(frame);
  std::string name = function_name(function);
  const std::string root = std::string(LEAKGATE_SOURCE_DIR) + "/";
  if (location.rfind(root, 0) == 0) location = location.substr(root.size());
  return location.empty() ? name : name + " (" + location + ")";
}

std::string project_site(const std::vector<std::string>& frames) {
  std::vector<const std::string*> project;
  for (const auto& frame : frames) {
    if (is_project_frame(frame)) project.push_back(&frame);
  }
  // Skip the counted object's constructors: the site is whoever called them.
  size_t first = 0;
  while (first + 1 < project.size() &&
         is_constructor(function_name(split_frame(*project[first]).first))) {
    ++first;
  }
  if (project.empty()) {
    // Nothing but main, libraries and the harness: the innermost frame outside the harness.
    auto outside = std::find_if(frames.begin(), frames.end(), [](const std::string& frame) {
      return !is_preload_frame(frame) &&
             function_name(split_frame(frame).first).rfind("leakgate::", 0) != 0;
    });
    if (outside != frames.end()) return short_frame(*outside);
    return frames.empty() ? std::string() : short_frame(frames.front());
  }
  std::string site = short_frame(*project[first]);
  if (first + 1 < project.size()) site += " <- " + short_frame(*project[first + 1]);
  return site;
}

bool site_matches(const std::string& site, const std::string& wanted) {
  if (wanted.empty()) return false;
  const std::string frame = site.substr(0, site.find(" <- "));
  if (frame == wanted) return true;
  const auto [function, location] = split_frame(frame);
  return function == wanted || location == wanted;
}

std::string site_in(const nlohmann::json& group, const std::vector<std::string>& frames) {
  std::string site = project_site(frames);
  if (group.is_object() && group.contains("process") && group["process"].is_string())
    site += " in " + group["process"].get<std::string>();
  return site;
}

nlohmann::json live_groups_of(const nlohmann::json& dump, const std::string& kind) {
  nlohmann::json groups = nlohmann::json::array();
  if (!dump.is_object()) return groups;
  const nlohmann::json* source = nullptr;
  if (dump.value("kind", "") == kind && dump.contains("groups")) source = &dump["groups"];
  if (dump.contains("kinds") && dump["kinds"].is_array()) {
    for (const auto& entry : dump["kinds"]) {
      if (entry.is_object() && entry.value("kind", "") == kind && entry.contains("groups")) {
        source = &entry["groups"];
      }
    }
  }
  if (source == nullptr || !source->is_array()) return groups;
  for (const auto& group : *source) {
    std::vector<std::string> frames;
    if (group.contains("frames") && group["frames"].is_array()) {
      for (const auto& frame : group["frames"]) {
        if (frame.is_string()) frames.push_back(frame.get<std::string>());
      }
    }
    nlohmann::json entry = {
        {"count", group.value("count", 0)}, {"frames", frames}, {"site", site_in(group, frames)}};
    if (group.contains("process")) entry["process"] = group["process"];
    groups.push_back(std::move(entry));
  }
  return groups;
}

namespace {

struct SiteTotals {
  int64_t bytes = 0;
  int64_t count = 0;
  int64_t largest = -1;  // bytes of the stack whose frames represent the site
  std::vector<std::string> frames;
};

std::map<std::string, SiteTotals> heap_sites_by_site(const nlohmann::json& dump) {
  std::map<std::string, SiteTotals> sites;
  if (!dump.is_object() || !dump.contains("heap_sites") || !dump["heap_sites"].is_array()) {
    return sites;
  }
  for (const auto& group : dump["heap_sites"]) {
    if (!group.is_object()) continue;
    std::vector<std::string> frames;
    if (group.contains("frames") && group["frames"].is_array()) {
      for (const auto& frame : group["frames"]) {
        if (frame.is_string()) frames.push_back(frame.get<std::string>());
      }
    }
    const int64_t bytes = group.value("bytes", int64_t{0});
    SiteTotals& site = sites[site_in(group, frames)];
    site.bytes += bytes;
    site.count += group.value("count", int64_t{0});
    if (bytes > site.largest) {
      site.largest = bytes;
      site.frames = std::move(frames);
    }
  }
  return sites;
}

bool has_heap_sites(const nlohmann::json& dump) {
  return dump.is_object() && dump.contains("heap_sites") && dump["heap_sites"].is_array();
}

}  // namespace

nlohmann::json heap_site_growth(const nlohmann::json& baseline, const nlohmann::json& final) {
  nlohmann::json out = nlohmann::json::array();
  if (!has_heap_sites(baseline) || !has_heap_sites(final)) return out;
  const auto before = heap_sites_by_site(baseline);
  std::vector<std::pair<std::string, SiteTotals>> grown;
  for (auto& [site, totals] : heap_sites_by_site(final)) {
    SiteTotals growth = totals;
    if (auto it = before.find(site); it != before.end()) {
      growth.bytes -= it->second.bytes;
      growth.count -= it->second.count;
    }
    if (growth.bytes > 0) grown.emplace_back(site, std::move(growth));
  }
  std::stable_sort(grown.begin(), grown.end(),
                   [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  for (const auto& [site, growth] : grown) {
    out.push_back({{"site", site},
                   {"bytes", growth.bytes},
                   {"count", growth.count},
                   {"frames", growth.frames}});
  }
  return out;
}

nlohmann::json new_fds(const std::vector<FdInfo>& before, const std::vector<FdInfo>& after) {
  // The same open file, after another was renamed over it, reads "<path> (deleted)".
  const auto identity = [](const FdInfo& fd) {
    constexpr std::string_view kDeleted = " (deleted)";
    const std::string_view target = fd.target;
    return std::make_tuple(fd.pid, fd.fd,
                           std::string(target.ends_with(kDeleted)
                                           ? target.substr(0, target.size() - kDeleted.size())
                                           : target));
  };
  std::set<std::tuple<pid_t, int, std::string>> old;
  for (const auto& fd : before) old.insert(identity(fd));
  nlohmann::json fresh = nlohmann::json::array();
  for (const auto& fd : after) {
    if (old.count(identity(fd)) == 0) {
      fresh.push_back({{"pid", fd.pid},
                       {"fd", fd.fd},
                       {"type", to_string(fd.type)},
                       {"target", fd.target}});
    }
  }
  return fresh;
}

}  // namespace leakgate
