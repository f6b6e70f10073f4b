// The one place a shutdown request (signal or POST /shutdown) is recorded and waited for.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

namespace tracker {

class ShutdownLatch {
 public:
  // The first reason wins; later requests are no-ops.
  void request(std::string reason) {
    {
      std::lock_guard lock(mutex_);
      if (requested_) return;
      requested_ = true;
      reason_ = std::move(reason);
    }
    changed_.notify_all();
  }

  // Blocks until request(); returns its reason.
  std::string wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return requested_; });
    return reason_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool requested_ = false;
  std::string reason_;
};

}  // namespace tracker
