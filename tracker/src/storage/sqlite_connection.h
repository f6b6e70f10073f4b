// RAII over one sqlite3 connection and its prepared statements. The connection is counted
// as kind "db_connections"; closing it first checks that every statement was finalized.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "leakgate/accounted.h"

namespace tracker {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::optional<std::string>& value);  // NULL when empty

  bool step();  // true: a row is ready; false: done. Throws StorageError.
  int64_t column_int(int index) const;
  std::string column_text(int index) const;

  // Resets and clears bindings: a statement left mid-read would pin a WAL read snapshot.
  void reset() noexcept;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, whatever happened.
class StatementScope {
 public:
  explicit StatementScope(Statement& statement) : statement_(statement) {}
  ~StatementScope() { statement_.reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  Statement& statement_;
};

class SqliteConnection {
 public:
  explicit SqliteConnection(const std::filesystem::path& path);
  ~SqliteConnection();  // finalizes strays (and says so on stderr), then sqlite3_close
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* handle() const { return db_; }
  void exec(const char* sql);          // statements without results (or whose rows are ignored)
  int64_t query_int(const char* sql);  // first column of the first row
  std::string query_text(const char* sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  leakgate::Accounted token_{leakgate::kind("db_connections")};
};

// A transaction begun on construction and rolled back on destruction unless commit()
// succeeded: the one undo of every early return or exception.
class Transaction {
 public:
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 protected:
  Transaction(SqliteConnection& connection, const char* begin);
  void commit();

 private:
  SqliteConnection& connection_;
  bool committed_ = false;
};

// BEGIN IMMEDIATE: takes the write lock up front, so the busy timeout applies.
class WriteTransaction : public Transaction {
 public:
  explicit WriteTransaction(SqliteConnection& connection)
      : Transaction(connection, "BEGIN IMMEDIATE") {}
  using Transaction::commit;
};

// BEGIN (deferred): the reads until the end of the scope see one snapshot; a read has
// nothing to commit.
class ReadTransaction : public Transaction {
 public:
  explicit ReadTransaction(SqliteConnection& connection) : Transaction(connection, "BEGIN") {}
};

}  // namespace tracker
