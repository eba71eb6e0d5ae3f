// The profile database's schema (docs/PROTOCOL.md (part client), "Database schema").
#pragma once

#include "attune/base/result.h"
#include "attune/client/store/sqlite.h"

namespace attune::client::store {

// Creates every table in an empty database and records kSchemaVersion.
Status CreateSchema(Database& db);

// Brings an older schema (version >= 1) up to kSchemaVersion in one
// transaction; nothing to do when it is current.
Status MigrateSchema(Database& db);

// Reads the schema version: kInvalidArgument when this is not an Attune
// database, kUnsupportedVersion when it is newer than this build.
Status CheckSchema(Database& db);

// The write generation kept in meta (rollback detection).
Result<uint64_t> ReadGeneration(Database& db);
Status WriteGeneration(Database& db, uint64_t generation);

}  // namespace attune::client::store
