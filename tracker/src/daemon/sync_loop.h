// The sync loop: every interval it reads all issues through the engine, refreshes the
// /stats snapshot and optionally rewrites a JSON export. Wakes at once on stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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

// Writes every issue as JSON to `path` through a temp file and rename (readers never see a
// partial export). Throws std::runtime_error naming the file.
void write_export(const std::filesystem::path& path, const std::vector<Issue>& issues,
                  const Stats& stats);

}  // namespace tracker
