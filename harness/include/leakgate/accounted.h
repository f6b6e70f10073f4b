// RAII token: an object that should be counted holds one as a member.
#pragma once

#include <cstdint>
#include <utility>

#include "leakgate/registry.h"

namespace leakgate {

class Accounted {
 public:
  explicit Accounted(ResourceKind& kind) : kind_(&kind), id_(kind.on_create()) {}
  ~Accounted() {
    if (kind_ != nullptr) kind_->on_release(id_);
  }
  Accounted(const Accounted&) = delete;
  Accounted& operator=(const Accounted&) = delete;
  Accounted(Accounted&& other) noexcept
      : kind_(std::exchange(other.kind_, nullptr)), id_(other.id_) {}
  Accounted& operator=(Accounted&& other) noexcept {
    if (this != &other) {
      if (kind_ != nullptr) kind_->on_release(id_);
      kind_ = std::exchange(other.kind_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }

 private:
  ResourceKind* kind_;
  uint64_t id_;
};

}  // namespace leakgate
