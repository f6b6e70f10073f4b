#include "leakgate/reports/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "leakgate/unique_fd.h"

namespace leakgate::reports {
namespace {

std::runtime_error io_error(const std::string& what, const std::filesystem::path& path, int error) {
  return std::runtime_error(what + " " + path.string() + ": " + std::strerror(error));
}

// Unique per process and per call, so concurrent writers never share a temporary.
std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() / ("." + path.filename().string() + ".tmp." +
                               std::to_string(::getpid()) + "." + std::to_string(counter++));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temporary = temporary_beside(path);
  UniqueFd file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!file) throw io_error("cannot create", temporary, errno);
  auto fail = [&](const char* what) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return io_error(what, temporary, error);
  };
  while (!content.empty()) {
    const ssize_t written = ::write(file.get(), content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) throw fail("cannot write");
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  // Closed here, not by the destructor: close reports the error a deferred write may only
  // show then.
  if (::close(file.release()) != 0) throw fail("cannot close");
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    throw io_error("cannot rename " + temporary.string() + " to", path, error);
  }
}

std::string read_text_file(const std::filesystem::path& path) {
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) throw io_error("cannot open", path, errno);
  std::string content;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw io_error("cannot read", path, errno);
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
  }
  return content;
}

}  // namespace leakgate::reports
