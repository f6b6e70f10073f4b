#include "sqlite_handle.h"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace leakgate::reports::detail {

namespace {
constexpr int kBusyTimeoutMs = 30000;  // parallel tests publish within seconds of each other
}

SqliteDatabase::SqliteDatabase(const std::filesystem::path& path) : path_(path.string()) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw std::runtime_error("history database " + path_ + ": cannot open: " + message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  set_wal_mode();
  execute("PRAGMA synchronous=NORMAL");
}

// Two processes opening a new history file at once: one switches it to WAL while the
// other's switch gets SQLITE_BUSY at once, without the busy handler (seen with ctest -j2).
// Retried until the busy timeout, as every other statement waits.
void SqliteDatabase::set_wal_mode() {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    const int status = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (status == SQLITE_OK) return;
    if ((status != SQLITE_BUSY && status != SQLITE_LOCKED) ||
        std::chrono::steady_clock::now() > deadline) {
      fail("PRAGMA journal_mode=WAL");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(db_); }

void SqliteDatabase::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw std::runtime_error("history database " + path_ + ": " + sql + ": " + message);
  }
}

void SqliteDatabase::fail(std::string_view what) const {
  throw std::runtime_error("history database " + path_ + ": " + std::string(what) + ": " +
                           sqlite3_errmsg(db_));
}

SqliteStatement::SqliteStatement(const SqliteDatabase& database, const char* sql)
    : database_(database) {
  if (sqlite3_prepare_v2(database.handle(), sql, -1, &statement_, nullptr) != SQLITE_OK) {
    database.fail(std::string("cannot prepare ") + sql);
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    database_.fail("cannot bind");
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::optional<double> number) {
  const int status = number ? sqlite3_bind_double(statement_, index, *number)
                            : sqlite3_bind_null(statement_, index);
  if (status != SQLITE_OK) database_.fail("cannot bind");
  return *this;
}

bool SqliteStatement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  database_.fail(std::string("cannot run ") + sqlite3_sql(statement_));
}

std::string SqliteStatement::text(int column) const {
  const unsigned char* value = sqlite3_column_text(statement_, column);
  return value ? reinterpret_cast<const char*>(value) : "";
}

std::optional<double> SqliteStatement::number(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(statement_, column);
}

ImmediateTransaction::ImmediateTransaction(SqliteDatabase& database) : database_(database) {
  database_.execute("BEGIN IMMEDIATE");
}

ImmediateTransaction::~ImmediateTransaction() {
  if (open_) sqlite3_exec(database_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void ImmediateTransaction::commit() {
  database_.execute("COMMIT");
  open_ = false;
}

}  // namespace leakgate::reports::detail
