#include "leakgate/reports/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace leakgate::reports {

ExclusiveFileLock::ExclusiveFileLock(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) {
    throw std::runtime_error("cannot open lock file " + path.string() + ": " +
                             std::strerror(errno));
  }
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(error));
  }
  fd_ = std::move(fd);
}

}  // namespace leakgate::reports
