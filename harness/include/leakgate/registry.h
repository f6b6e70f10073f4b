// The in-process registry of counted resource kinds (sessions, engines, ...).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace leakgate {

struct KindSnapshot {
  std::string name;
  int64_t live = 0;
  int64_t created = 0;
  int64_t peak = 0;
};

// One live object's creation, as recorded when stack capture is on.
struct LiveObjectGroup {
  int64_t count = 0;
  std::vector<uintptr_t> frames;  // raw return addresses, innermost first
};

class ResourceKind;

// Process-wide registry. Kinds are created on first use and never destroyed,
// so a ResourceKind& stays valid for the life of the process.
class Registry {
 public:
  static Registry& global();

  ResourceKind& kind(std::string_view name);
  std::vector<KindSnapshot> snapshot() const;
  // fn(index, name, live) for each kind in creation order, under the registry's lock and
  // without allocating (the sampler's per-tick read). Kinds are never removed: an index
  // names the same kind for good. fn must not call into the registry.
  template <class Fn>
  void for_each_live(Fn&& fn) const {
    visit_live(
        [](void* f, size_t index, std::string_view name, int64_t live) {
          (*static_cast<std::remove_reference_t<Fn>*>(f))(index, name, live);
        },
        &fn);
  }

  // Creation stacks: off by default; LEAKGATE_STACKS=1 in the environment turns them on.
  void set_capture_stacks(bool on);
  bool capture_stacks() const;

  // Live objects of one kind grouped by identical creation stack, largest group first.
  std::vector<LiveObjectGroup> live_objects(std::string_view kind) const;
  // {"kind":..,"live":..,"groups":[{"count":N,"frames":["fn (file:line)",...]}]} for one kind,
  // or {"kinds":[...]} for all when kind is empty. Symbolizes on demand.
  std::string live_objects_json(std::string_view kind = {}) const;

  // Held across fork() by the preload library (its prepare handler, then released in parent
  // and child): a thread of the daemon inside on_create while another forks would leave the
  // child's copy locked for good, and a forked worker carries on using it.
  void lock_for_fork();
  void unlock_after_fork();

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

 private:
  void visit_live(void (*fn)(void*, size_t, std::string_view, int64_t), void* context) const;
  Registry();
  ~Registry();
  struct State;
  std::unique_ptr<State> state_;
  friend class ResourceKind;
  friend class CounterPublisher;
};

// Lock-free counters of one kind. Obtain via Registry::kind() or leakgate::kind().
class ResourceKind {
 public:
  const std::string& name() const { return name_; }
  int64_t live() const { return live_.load(std::memory_order_relaxed); }
  int64_t created() const { return created_.load(std::memory_order_relaxed); }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  int64_t released() const { return released_.load(std::memory_order_relaxed); }

  // Called by Accounted; returns an id for the live-object table (0 when stacks are off).
  uint64_t on_create();
  void on_release(uint64_t id);

  explicit ResourceKind(std::string name, Registry& owner);

 private:
  std::string name_;
  Registry& owner_;
  std::atomic<int64_t> live_{0};
  std::atomic<int64_t> created_{0};
  std::atomic<int64_t> peak_{0};
  std::atomic<int64_t> released_{0};  // monotonic, so the file mirror can max-store it
  // Optional mirror in a published counter file (set by the publisher): points at the
  // entry's created/released/peak triple (see counter_file_layout.h).
  std::atomic<int64_t*> shared_slot_{nullptr};
  friend class CounterPublisher;
};

inline ResourceKind& kind(std::string_view name) { return Registry::global().kind(name); }

}  // namespace leakgate
