// An exclusive advisory lock (flock) on a file, held for the object's lifetime.
#pragma once

#include <filesystem>

#include "leakgate/unique_fd.h"

namespace leakgate::reports {

class ExclusiveFileLock {
 public:
  // Creates the file if needed and blocks until the lock is held. Throws std::runtime_error.
  explicit ExclusiveFileLock(const std::filesystem::path& path);
  ExclusiveFileLock(ExclusiveFileLock&&) noexcept = default;
  ExclusiveFileLock& operator=(ExclusiveFileLock&&) noexcept = default;
  ExclusiveFileLock(const ExclusiveFileLock&) = delete;
  ExclusiveFileLock& operator=(const ExclusiveFileLock&) = delete;

 private:
  UniqueFd fd_;  // closing it releases the flock
};

}  // namespace leakgate::reports
