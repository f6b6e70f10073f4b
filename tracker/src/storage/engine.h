// The storage engine: one per daemon, owning the SQLite database (WAL). Shared by the request
// handlers and the sync loop through one connection guarded by a mutex. Counted as "engines".
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "leakgate/accounted.h"
#include "sqlite_connection.h"
#include "tracker/issue.h"

namespace tracker {

class Engine {
 public:
  // Opens (creating if needed) and migrates the database. Throws StorageError.
  explicit Engine(std::filesystem::path db_path);
  ~Engine();  // finalizes every statement, then closes the connection
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes return only after COMMIT: an acknowledged write survives kill -9.
  Issue create(const NewIssue& issue);
  std::optional<Issue> update(int64_t id, const IssuePatch& patch);  // nullopt: no such id
  bool remove(int64_t id);                                           // false: no such id

  std::optional<Issue> get(int64_t id);
  std::vector<Issue> list(const ListQuery& query);
  int64_t last_change_ms();  // 0 when nothing was ever written; survives reopen and kill -9

  // The counts of one read snapshot (total, open, closed, labels, last_change_ms) by SQL
  // aggregates: no issue is loaded, so memory does not grow with the table. When `each_issue`
  // is given, every issue of that same snapshot is passed to it in id order, one row at a
  // time. ticks and snapshot_at_ms are left to the caller. Writers wait until it returns.
  Stats snapshot(const std::function<void(const Issue&)>& each_issue = {});

  std::string integrity_check();  // "ok" when healthy
  int schema_version();

 private:
  struct Statements;

  std::optional<Issue> get_locked(int64_t id);
  int64_t last_change_locked();
  int64_t load_last_change();
  void write_labels(int64_t id, const std::vector<std::string>& labels);
  void mark_changed(int64_t now_ms);

  std::filesystem::path path_;
  leakgate::Accounted token_{leakgate::kind("engines")};
  std::mutex mutex_;
  SqliteConnection connection_;
  std::unique_ptr<Statements> statements_;  // destroyed before connection_
  // Kept here: a create does not write the meta row (one B-tree page fewer per POST), so the
  // database alone answers only at open. Assumes this engine is the file's only writer.
  int64_t last_change_ms_ = 0;
};

}  // namespace tracker
