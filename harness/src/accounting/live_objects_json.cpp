#include "live_objects_json.h"

#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "leakgate/creation_stack.h"

namespace leakgate {

namespace {

// Frames of the accounting machinery itself say nothing about who made the object.
bool is_accounting_frame(const std::string& function) {
  constexpr std::string_view kPrefixes[] = {
      "leakgate::Accounted::", "leakgate::ResourceKind::", "leakgate::capture_stack"};
  for (std::string_view p : kPrefixes) {
    if (std::string_view(function).substr(0, p.size()) == p) return true;
  }
  return false;
}

}  // namespace

std::string render_live_objects_json(const std::vector<KindLiveObjects>& kinds, bool single,
                                     bool stacks_on) {
  std::vector<uintptr_t> unique;
  std::unordered_map<uintptr_t, size_t> index;
  for (const auto& k : kinds) {
    for (const auto& g : k.groups) {
      for (uintptr_t a : g.frames) {
        if (index.emplace(a, unique.size()).second) unique.push_back(a);
      }
    }
  }
  const std::vector<std::vector<SymbolizedFrame>> symbols = symbolize(unique);

  nlohmann::json all = nlohmann::json::array();
  for (const auto& k : kinds) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : k.groups) {
      nlohmann::json frames = nlohmann::json::array();
      bool leading = true;
      for (uintptr_t a : g.frames) {
        for (const SymbolizedFrame& f : symbols[index.at(a)]) {
          if (leading && is_accounting_frame(f.function)) continue;
          leading = false;
          frames.push_back(f.str());
        }
      }
      groups.push_back({{"count", g.count}, {"frames", std::move(frames)}});
    }
    all.push_back({{"kind", k.counters.name},
                   {"live", k.counters.live},
                   {"created", k.counters.created},
                   {"peak", k.counters.peak},
                   {"stacks", stacks_on},
                   {"groups", std::move(groups)}});
  }
  if (single && all.size() == 1) return all[0].dump();
  return nlohmann::json{{"stacks", stacks_on}, {"kinds", std::move(all)}}.dump();
}

}  // namespace leakgate
