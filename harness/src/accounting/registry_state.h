// Registry internals shared by registry.cpp and the counter publisher.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "leakgate/registry.h"

namespace leakgate {

struct Registry::State {
  mutable std::mutex kinds_mu;
  std::map<std::string, std::unique_ptr<ResourceKind>, std::less<>> kinds;  // never erased
  std::vector<ResourceKind*> order;                                         // creation order
  // Called under kinds_mu for each new kind while a counter publisher is attached.
  std::function<void(ResourceKind&)> on_new_kind;

  std::atomic<bool> capture_stacks{false};
  std::atomic<uint64_t> next_id{1};

  struct LiveObject {
    const ResourceKind* kind = nullptr;
    std::vector<uintptr_t> frames;
  };
  mutable std::mutex live_mu;  // only taken when stacks are on
  std::unordered_map<uint64_t, LiveObject> live;
};

}  // namespace leakgate
