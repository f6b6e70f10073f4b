// Thin RAII over the SQLite C API: a connection, prepared statements and an immediate
// transaction that rolls back unless committed. Errors throw std::runtime_error naming
// the database file.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace leakgate::reports::detail {

class SqliteDatabase {
 public:
  // Opens (creating) the file with a busy timeout, in WAL mode.
  explicit SqliteDatabase(const std::filesystem::path& path);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  void execute(const char* sql);
  sqlite3* handle() const { return db_; }
  [[noreturn]] void fail(std::string_view what) const;

 private:
  void set_wal_mode();
  sqlite3* db_ = nullptr;
  std::string path_;
};

class SqliteStatement {
 public:
  SqliteStatement(const SqliteDatabase& database, const char* sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters count from 1; an absent value binds NULL.
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::optional<double> number);
  // True while there is a row to read; false when done.
  bool step();
  std::string text(int column) const;
  std::optional<double> number(int column) const;

 private:
  const SqliteDatabase& database_;
  sqlite3_stmt* statement_ = nullptr;
};

// BEGIN IMMEDIATE: takes the write lock up front, so concurrent writers queue on the busy
// timeout instead of failing with a deadlock on upgrade.
class ImmediateTransaction {
 public:
  explicit ImmediateTransaction(SqliteDatabase& database);
  ~ImmediateTransaction();
  ImmediateTransaction(const ImmediateTransaction&) = delete;
  ImmediateTransaction& operator=(const ImmediateTransaction&) = delete;
  void commit();

 private:
  SqliteDatabase& database_;
  bool open_ = true;
};

}  // namespace leakgate::reports::detail
