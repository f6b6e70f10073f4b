// The sync loop: every interval it counts the issues with SQL aggregates, refreshes the /stats
// snapshot, optionally rewrites a JSON export streamed row by row, and hands freed heap memory
// back to the OS. Its memory does not grow with the table. Wakes at once on stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "leakgate/unique_fd.h"
#include "tracker/issue.h"

namespace tracker {

class Engine;

class SyncLoop {
 public:
  struct Options {
    std::chrono::milliseconds interval{5000};
    std::optional<std::filesystem::path> export_path;
    bool engine_per_sync = false;  // fault injection: the historical bug
  };

  SyncLoop(Engine& engine, Options options);
  ~SyncLoop();  // stop()
  SyncLoop(const SyncLoop&) = delete;
  SyncLoop& operator=(const SyncLoop&) = delete;

  // Runs the first tick on the calling thread (so /stats is never empty), then the loop.
  void start();
  void stop();  // idempotent; joins the thread

  Stats latest() const;

 private:
  void run();
  void tick();
  void report_error(const std::string& message);

  Engine& engine_;
  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Stats latest_;
  std::string last_error_;  // logged once per distinct message
  std::thread thread_;
};

// The JSON export, written one issue at a time to a temp file beside `path` and renamed over it
// by commit() (readers never see a partial export). The text is what
// {"issues": [...], "stats": {...}} dumped with indent 1 would be, with only one issue's JSON in
// memory at a time. A failure is kept, not thrown, until commit(); the temp file is removed
// unless commit() succeeded.
class ExportFile {
 public:
  explicit ExportFile(std::filesystem::path path);
  ~ExportFile();
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;

  void add(const Issue& issue);
  // Writes `stats`, then renames the temp file over `path`. Throws std::runtime_error naming
  // the file if anything failed since construction.
  void commit(const Stats& stats);

 private:
  void put(std::string_view text);
  void flush();

  std::filesystem::path path_;
  std::filesystem::path temp_;
  leakgate::UniqueFd fd_;
  std::string buffer_;
  size_t issues_ = 0;
  std::string error_;  // the first failure
  bool committed_ = false;
};

}  // namespace tracker
