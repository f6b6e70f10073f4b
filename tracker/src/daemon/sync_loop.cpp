#include "sync_loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <utility>

#include "fault_injection.h"
#include "memory_release.h"
#include "storage/engine.h"
#include "tracker/issue_json.h"

namespace tracker {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// `json` (as dump(1) writes it) with every line after the first indented by `by` spaces: how
// nlohmann indents a value nested that deep. A raw newline only ever ends a line (strings
// escape theirs).
std::string indented(const std::string& json, size_t by) {
  std::string out;
  out.reserve(json.size() + json.size() / 8);
  for (const char c : json) {
    out += c;
    if (c == '\n') out.append(by, ' ');
  }
  return out;
}

}  // namespace

ExportFile::ExportFile(std::filesystem::path path) : path_(std::move(path)), temp_(path_) {
  temp_ += ".tmp." + std::to_string(::getpid());
  fd_.reset(::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd_) error_ = "cannot write export " + temp_.string() + ": " + std::strerror(errno);
  buffer_.reserve(kBufferBytes);
  put("{\n \"issues\": [");
}

ExportFile::~ExportFile() {
  fd_.reset();
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
  }
}

void ExportFile::add(const Issue& issue) {
  put(issues_++ == 0 ? "\n  " : ",\n  ");
  put(indented(to_json(issue).dump(1), 2));
}

void ExportFile::commit(const Stats& stats) {
  put(issues_ == 0 ? "]" : "\n ]");
  put(",\n \"stats\": ");
  put(indented(to_json(stats).dump(1), 1));
  put("\n}\n");
  flush();
  if (fd_ && ::close(fd_.release()) != 0 && error_.empty()) {
    error_ = "cannot write export " + temp_.string() + ": " + std::strerror(errno);
  }
  if (!error_.empty()) throw std::runtime_error(error_);
  std::error_code error;
  std::filesystem::rename(temp_, path_, error);  // atomic: readers see old or new, never half
  if (error) throw std::runtime_error("cannot replace export " + path_.string());
  committed_ = true;
}

void ExportFile::put(std::string_view text) {
  if (!error_.empty()) return;
  buffer_.append(text);
  if (buffer_.size() >= kBufferBytes) flush();
}

void ExportFile::flush() {
  std::string_view rest = buffer_;
  while (error_.empty() && !rest.empty()) {
    const ssize_t wrote = ::write(fd_.get(), rest.data(), rest.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      error_ = "cannot write export " + temp_.string() + ": " + std::strerror(errno);
      break;
    }
    rest.remove_prefix(static_cast<size_t>(wrote));
  }
  buffer_.clear();
}

SyncLoop::SyncLoop(Engine& engine, Options options)
    : engine_(engine), options_(std::move(options)) {}

SyncLoop::~SyncLoop() { stop(); }

void SyncLoop::start() {
  tick();
  thread_ = std::thread([this] { run(); });
}

void SyncLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Stats SyncLoop::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void SyncLoop::run() {
  auto next = std::chrono::steady_clock::now() + options_.interval;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
    tick();
    // Fixed rate, but never try to catch up on ticks missed while a tick ran long.
    next = std::max(next + options_.interval, std::chrono::steady_clock::now());
  }
}

void SyncLoop::tick() {
  try {
    // The historical bug: a fresh engine per tick instead of the daemon's shared one.
    Engine& engine = options_.engine_per_sync ? leak_new_engine(engine_.path()) : engine_;
    std::optional<ExportFile> export_file;
    if (options_.export_path) export_file.emplace(*options_.export_path);
    Stats stats = export_file
                      ? engine.snapshot([&](const Issue& issue) { export_file->add(issue); })
                      : engine.snapshot();
    stats.snapshot_at_ms = now_ms();
    {
      std::lock_guard lock(mutex_);
      stats.ticks = latest_.ticks + 1;
      latest_ = stats;
    }
    if (export_file) export_file->commit(stats);
  } catch (const std::exception& error) {
    report_error(error.what());
  }
  // What the tick and the requests since the last one freed goes back to the OS.
  release_free_memory();
}

void SyncLoop::report_error(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (message == last_error_) return;  // a failing export every 10 ms must not flood stderr
  last_error_ = message;
  std::fprintf(stderr, "trackerd: sync: %s\n", message.c_str());
}

}  // namespace tracker
