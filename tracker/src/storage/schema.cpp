#include "schema.h"

#include <string>

namespace tracker {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: a released migration never changes.
constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE issues ("
     "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  title TEXT NOT NULL,"
     "  body TEXT NOT NULL DEFAULT '',"
     "  priority INTEGER NOT NULL,"
     "  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE TABLE issue_labels ("
     "  issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,"
     "  position INTEGER NOT NULL,"
     "  label TEXT NOT NULL,"
     "  PRIMARY KEY (issue_id, position)) WITHOUT ROWID;"
     "CREATE INDEX issue_labels_by_label ON issue_labels (label, issue_id);"},
    {2, "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"},
    // The sync loop's counts: COUNT(*) walks this small index instead of the table, and the
    // closed issues are a range of it.
    {3, "CREATE INDEX issues_by_status ON issues (status);"},
};
static_assert(std::size(kMigrations) == kSchemaVersion);

}  // namespace

void migrate(SqliteConnection& connection) {
  // Read the version inside the write lock: two processes opening the file at once
  // must not both apply the same migration.
  WriteTransaction transaction(connection);
  const int64_t current = connection.query_int("PRAGMA user_version");
  if (current > kSchemaVersion) {
    throw StorageError("database schema version " + std::to_string(current) +
                       " is newer than this trackerd (" + std::to_string(kSchemaVersion) + ")");
  }
  if (current == kSchemaVersion) return;  // nothing written: the rollback is free
  for (const Migration& migration : kMigrations) {
    if (migration.version <= current) continue;
    connection.exec(migration.sql);
  }
  connection.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  transaction.commit();
}

}  // namespace tracker
