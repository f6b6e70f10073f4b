// An exclusive advisory lock (flock) on a file, held for the object's lifetime.
#pragma once

#include <filesystem>

namespace leakgate::reports {

class ExclusiveFileLock {
 public:
  // Creates the file if needed and blocks until the lock is held. Throws std::runtime_error.
  explicit ExclusiveFileLock(const std::filesystem::path& path);
  ~ExclusiveFileLock();
  ExclusiveFileLock(ExclusiveFileLock&& other) noexcept;
  ExclusiveFileLock& operator=(ExclusiveFileLock&& other) noexcept;
  ExclusiveFileLock(const ExclusiveFileLock&) = delete;
  ExclusiveFileLock& operator=(const ExclusiveFileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace leakgate::reports
