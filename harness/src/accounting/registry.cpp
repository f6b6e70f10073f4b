// Registry and ResourceKind: lock-free counters, optional creation stacks.
#include "leakgate/registry.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include "counter_file_layout.h"
#include "leakgate/creation_stack.h"
#include "live_objects_json.h"
#include "registry_state.h"

namespace leakgate {

namespace {
bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}
}  // namespace

Registry::Registry() : state_(std::make_unique<State>()) {
  if (env_flag("LEAKGATE_STACKS")) set_capture_stacks(true);
}

Registry::~Registry() = default;

Registry& Registry::global() {
  // Never destroyed: Accounted tokens in other statics may be released during exit.
  static Registry* const instance = new Registry();
  return *instance;
}

ResourceKind& Registry::kind(std::string_view name) {
  std::lock_guard lock(state_->kinds_mu);
  if (auto it = state_->kinds.find(name); it != state_->kinds.end()) return *it->second;
  auto owned = std::make_unique<ResourceKind>(std::string(name), *this);
  ResourceKind& kind = *owned;
  state_->kinds.emplace(std::string(name), std::move(owned));
  state_->order.push_back(&kind);
  if (state_->on_new_kind) state_->on_new_kind(kind);
  return kind;
}

std::vector<KindSnapshot> Registry::snapshot() const {
  std::lock_guard lock(state_->kinds_mu);
  std::vector<KindSnapshot> out;
  out.reserve(state_->order.size());
  for (const ResourceKind* k : state_->order) {
    out.push_back({k->name(), k->live(), k->created(), std::max(k->peak(), k->live())});
  }
  return out;
}

void Registry::visit_live(void (*fn)(void*, size_t, std::string_view, int64_t),
                          void* context) const {
  std::lock_guard lock(state_->kinds_mu);
  for (size_t i = 0; i < state_->order.size(); ++i) {
    fn(context, i, state_->order[i]->name(), state_->order[i]->live());
  }
}

// live_mu only: the counter publisher's own fork handlers hold kinds_mu across the fork (they
// run after this prepare handler, which registers later; nothing nests them the other way).
void Registry::lock_for_fork() { state_->live_mu.lock(); }

void Registry::unlock_after_fork() { state_->live_mu.unlock(); }

void Registry::set_capture_stacks(bool on) {
  // The first unw_backtrace opens a pipe: do it now, not inside a measured phase.
  if (on) warm_up_unwinder();
  state_->capture_stacks.store(on, std::memory_order_relaxed);
}

bool Registry::capture_stacks() const {
  return state_->capture_stacks.load(std::memory_order_relaxed);
}

std::vector<LiveObjectGroup> Registry::live_objects(std::string_view kind) const {
  std::map<std::vector<uintptr_t>, int64_t> groups;
  {
    std::lock_guard lock(state_->live_mu);
    for (const auto& [id, obj] : state_->live) {
      if (obj.kind->name() == kind) ++groups[obj.frames];
    }
  }
  std::vector<LiveObjectGroup> out;
  out.reserve(groups.size());
  for (auto& [frames, count] : groups) out.push_back({count, frames});
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

std::string Registry::live_objects_json(std::string_view kind) const {
  std::vector<KindLiveObjects> kinds;
  for (const KindSnapshot& k : snapshot()) {
    if (!kind.empty() && k.name != kind) continue;
    kinds.push_back({k, live_objects(k.name)});
  }
  if (!kind.empty() && kinds.empty()) kinds.push_back({KindSnapshot{std::string(kind)}, {}});
  return render_live_objects_json(kinds, !kind.empty(), capture_stacks());
}

ResourceKind::ResourceKind(std::string name, Registry& owner)
    : name_(std::move(name)), owner_(owner) {}

// seq_cst on the counters and the slot load pairs with the publisher's attach (slot store,
// then counter loads): every update lands in the file either directly or via the attach copy.
uint64_t ResourceKind::on_create() {
  uint64_t id = 0;
  Registry::State& state = *owner_.state_;
  if (state.capture_stacks.load(std::memory_order_relaxed)) {
    // Skip on_create itself; Accounted's constructor is trimmed at symbolization if not inlined.
    std::vector<uintptr_t> frames = capture_stack(1);
    id = state.next_id.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(state.live_mu);
    state.live.emplace(id, Registry::State::LiveObject{this, std::move(frames)});
  }
  const int64_t created = created_.fetch_add(1) + 1;
  const int64_t live = live_.fetch_add(1) + 1;
  counter_file::store_max(peak_, live);
  if (int64_t* slot = shared_slot_.load()) {
    auto* shared = counter_file::slot_counters(slot);
    counter_file::store_max(shared[counter_file::kSlotCreated], created);
    counter_file::store_max(shared[counter_file::kSlotPeak], peak_.load());
  }
  return id;
}

void ResourceKind::on_release(uint64_t id) {
  if (id != 0) {
    Registry::State& state = *owner_.state_;
    std::lock_guard lock(state.live_mu);
    state.live.erase(id);
  }
  const int64_t released = released_.fetch_add(1) + 1;
  live_.fetch_sub(1);
  if (int64_t* slot = shared_slot_.load()) {
    counter_file::store_max(counter_file::slot_counters(slot)[counter_file::kSlotReleased],
                            released);
  }
}

}  // namespace leakgate
