// The C++ side of the malloc hooks: publishes their live bytes and blocks as the counter
// file's heap figure, and renders the live sampled allocations, grouped by stack and
// symbolized, for every live-object dump ("heap_sites", dump_channel.cpp).
#include "heap_sites.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "heap_api.h"
#include "leakgate/counter_file.h"
#include "leakgate/creation_stack.h"
#include "leakgate/heap_stats.h"

namespace leakgate::preload {
namespace {

HeapFigures heap_figures() {
  HeapFigures figures;
  leakgate_heap_totals(&figures.bytes, &figures.blocks);
  return figures;
}

struct Site {
  double bytes = 0;
  double blocks = 0;
};

}  // namespace

std::string render_heap_sites() {
  const int was_paused = leakgate_heap_pause_sampling(1);  // our own work is not the daemon's
  std::vector<leakgate_heap_sample> samples(leakgate_heap_table_size() + 64);
  samples.resize(leakgate_heap_table_copy(samples.data(), samples.size()));
  std::map<std::vector<uintptr_t>, Site> sites;
  for (const auto& sample : samples) {
    Site& site = sites[std::vector<uintptr_t>(sample.frames, sample.frames + sample.depth)];
    site.bytes += sample.est_bytes;
    site.blocks += sample.est_blocks;
  }
  std::vector<std::pair<const std::vector<uintptr_t>*, Site>> order;
  for (const auto& [frames, site] : sites) order.emplace_back(&frames, site);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  if (order.size() > kMaxHeapSites) order.resize(kMaxHeapSites);

  std::vector<uintptr_t> unique;
  std::unordered_map<uintptr_t, size_t> index;
  for (const auto& [frames, site] : order) {
    for (uintptr_t ip : *frames) {
      if (index.emplace(ip, unique.size()).second) unique.push_back(ip);
    }
  }
  const auto symbols = symbolize(unique);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [frames, site] : order) {
    nlohmann::json names = nlohmann::json::array();
    for (uintptr_t ip : *frames) {
      for (const SymbolizedFrame& f : symbols[index.at(ip)]) names.push_back(f.str());
    }
    out.push_back({{"bytes", std::llround(site.bytes)},
                   {"count", std::llround(site.blocks)},
                   {"frames", std::move(names)}});
  }
  std::string text = out.dump();
  leakgate_heap_pause_sampling(was_paused);
  return text;
}

namespace {

uint64_t sample_mean_from_environment() {
  const char* text = std::getenv(kHeapSampleEnv);
  if (text == nullptr || *text == '\0') return kDefaultHeapSampleBytes;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  return end != nullptr && *end == '\0' ? value : kDefaultHeapSampleBytes;
}

}  // namespace

void start_heap_accounting(uintptr_t self_begin, uintptr_t self_end) {
  if (!LG_HEAP_HOOKS) return;
  leakgate_heap_start(sample_mean_from_environment(), self_begin, self_end);
  set_heap_source(&heap_figures);
}

}  // namespace leakgate::preload
