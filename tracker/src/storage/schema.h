// Schema migrations keyed by PRAGMA user_version.
#pragma once

#include "sqlite_connection.h"

namespace tracker {

inline constexpr int kSchemaVersion = 3;

// Brings the database to kSchemaVersion in one write transaction. Throws StorageError if the
// file was written by a newer trackerd (a higher user_version than this build knows).
void migrate(SqliteConnection& connection);

}  // namespace tracker
