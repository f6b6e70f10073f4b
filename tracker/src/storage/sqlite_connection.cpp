#include "sqlite_connection.h"

#include <cstdio>
#include <utility>

namespace tracker {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw StorageError(std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt_, nullptr) != SQLITE_OK) {
    fail(db, "prepare '" + std::string(sql.substr(0, 60)) + "'");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    fail(sqlite3_db_handle(stmt_), "bind");
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  if (value) return bind(index, std::string_view(*value));
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(stmt_), "step");
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

SqliteConnection::SqliteConnection(const std::filesystem::path& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = "cannot open " + path.string() + ": " +
                          (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);  // a handle is returned even on failure
    db_ = nullptr;
    throw StorageError(message);
  }
}

SqliteConnection::~SqliteConnection() {
  if (db_ == nullptr) return;
  // sqlite3_close refuses while statements remain (close_v2 would hide the leak): name them.
  while (sqlite3_stmt* stray = sqlite3_next_stmt(db_, nullptr)) {
    std::fprintf(stderr, "trackerd: finalizing a statement left open: %s\n", sqlite3_sql(stray));
    sqlite3_finalize(stray);
  }
  if (sqlite3_close(db_) != SQLITE_OK) {
    std::fprintf(stderr, "trackerd: sqlite3_close failed: %s\n", sqlite3_errmsg(db_));
  }
}

void SqliteConnection::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = std::string(sql).substr(0, 60) + ": " + (error ? error : "?");
    sqlite3_free(error);
    throw StorageError(message);
  }
}

int64_t SqliteConnection::query_int(const char* sql) {
  Statement statement(db_, sql);
  if (!statement.step()) throw StorageError(std::string("no row from ") + sql);
  return statement.column_int(0);
}

std::string SqliteConnection::query_text(const char* sql) {
  Statement statement(db_, sql);
  if (!statement.step()) throw StorageError(std::string("no row from ") + sql);
  return statement.column_text(0);
}

Transaction::Transaction(SqliteConnection& connection, const char* begin)
    : connection_(connection) {
  connection_.exec(begin);
}

Transaction::~Transaction() {
  if (committed_) return;
  // ROLLBACK can only fail if no transaction is active: nothing to undo then.
  sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  committed_ = true;
}

}  // namespace tracker
