#include "schema.h"

#include <string>

#include "attune/client/store/profile.h"

namespace attune::client::store {
namespace {

// Version 1. Secrets are plain columns: the whole file is encrypted by
// SQLCipher and no secret is kept anywhere else. Column meanings are in
// docs/PROTOCOL.md (part client).
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE settings(
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE identity(
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  record BLOB NOT NULL
);
CREATE TABLE mailboxes(
  id               INTEGER PRIMARY KEY,
  mailbox_id       BLOB NOT NULL UNIQUE,
  owner_seed       BLOB NOT NULL,
  send_capability  BLOB NOT NULL,
  relay_host       TEXT NOT NULL,
  relay_port       INTEGER NOT NULL,
  relay_public_key BLOB NOT NULL,
  pending_ticket   BLOB
);
CREATE TABLE contacts(
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE,
  display_name         TEXT NOT NULL,
  identity_key         BLOB NOT NULL,
  verified             INTEGER NOT NULL,
  identity_changed     INTEGER NOT NULL,
  send_block           TEXT NOT NULL,
  peer_relay_host      TEXT NOT NULL,
  peer_relay_port      INTEGER NOT NULL,
  peer_relay_key       BLOB NOT NULL,
  peer_mailbox_id      BLOB NOT NULL,
  peer_send_capability BLOB NOT NULL,
  own_mailbox          INTEGER REFERENCES mailboxes(id),
  created_at           INTEGER NOT NULL
);
CREATE TABLE sessions(
  contact_id INTEGER PRIMARY KEY REFERENCES contacts(id),
  state      BLOB NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE invitations(
  id               INTEGER PRIMARY KEY,
  secrets          BLOB NOT NULL,
  mailbox          INTEGER NOT NULL UNIQUE REFERENCES mailboxes(id),
  replaces_contact INTEGER REFERENCES contacts(id),
  suggested_name   TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  consumed         INTEGER NOT NULL
);
CREATE TABLE messages(
  id         INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  direction  INTEGER NOT NULL,
  content    BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  read       INTEGER NOT NULL,
  sent       INTEGER NOT NULL
);
CREATE INDEX messages_by_contact ON messages(contact_id, id);
CREATE TABLE outbox(
  id               INTEGER PRIMARY KEY,
  contact_id       INTEGER NOT NULL REFERENCES contacts(id),
  message_id       INTEGER NOT NULL,
  wire             BLOB,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER,
  relay_message_id INTEGER
);
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
CREATE TABLE processed(
  blob_hash    BLOB PRIMARY KEY,
  processed_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2: what lists show, kept beside each message so that the inbox,
// the contact list and a conversation never parse stored content
// (message_index.h). NULL `kind` = not indexed yet (rows written by version
// 1, or by a writer that leaves indexing to the engine); the engine indexes
// those before it lists anything. Adding nullable columns rewrites no row.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE messages ADD COLUMN kind INTEGER;
ALTER TABLE messages ADD COLUMN listed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN content_id BLOB;
ALTER TABLE messages ADD COLUMN summary TEXT;
CREATE INDEX messages_unindexed ON messages(id) WHERE kind IS NULL;
CREATE INDEX messages_inbox ON messages(direction, listed, read, id, contact_id);
CREATE INDEX messages_urgent ON messages(urgent, acknowledged, contact_id, id);
CREATE INDEX messages_by_content_id ON messages(contact_id, content_id);
)sql";

Result<int64_t> SchemaVersion(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(auto v, db.QueryInt("SELECT value FROM meta WHERE key='schema_version'"));
  if (!v) return MakeError(ErrorCode::kInvalidArgument, "the database has no schema version");
  return *v;
}

Status SetSchemaVersion(Database& db, int64_t version) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("UPDATE meta SET value = ? WHERE key='schema_version'"));
  return st.Bind(1, version).Run();
}

}  // namespace

Status CreateSchema(Database& db) {
  {
    ATTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    ATTUNE_RETURN_IF_ERROR(db.Exec(kSchemaV1));
    ATTUNE_ASSIGN_OR_RETURN(Statement st,
                            db.Prepare("INSERT INTO meta(key, value) VALUES ('schema_version', 1), "
                                       "('generation', 0)"));
    ATTUNE_RETURN_IF_ERROR(st.Run());
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  // Every later version is reached the way an old profile reaches it.
  return MigrateSchema(db);
}

Status MigrateSchema(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(int64_t version, SchemaVersion(db));
  if (version >= kSchemaVersion) return Status::Ok();
  // Re-read under the write lock: another process may have migrated.
  ATTUNE_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  ATTUNE_ASSIGN_OR_RETURN(version, SchemaVersion(db));
  if (version == 1) {
    ATTUNE_RETURN_IF_ERROR(db.Exec(kSchemaV2));
    version = 2;
  }
  ATTUNE_RETURN_IF_ERROR(SetSchemaVersion(db, version));
  return tx.Commit();
}

Status CheckSchema(Database& db) {
  auto has_meta =
      db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!has_meta.ok()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database is damaged (a page cannot be read)");
  }
  if (!has_meta->has_value() || **has_meta != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "the database is not an Attune profile database");
  }
  auto version = db.QueryInt("SELECT value FROM meta WHERE key='schema_version'");
  if (!version.ok()) {
    // A page that fails to decrypt or parse: damage, not a missing row.
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's database is damaged (a page cannot be read)");
  }
  if (!version->has_value()) {
    return MakeError(ErrorCode::kInvalidArgument, "the database has no schema version");
  }
  if (**version > kSchemaVersion) {
    return MakeError(
        ErrorCode::kUnsupportedVersion,
        "the database was written by a newer Attune (schema " + std::to_string(**version) + ")");
  }
  if (**version < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "the database has an invalid schema version");
  }
  return Status::Ok();
}

Result<uint64_t> ReadGeneration(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(auto v, db.QueryInt("SELECT value FROM meta WHERE key='generation'"));
  if (!v || *v < 0) return MakeError(ErrorCode::kInvalidArgument, "database: missing generation");
  return static_cast<uint64_t>(*v);
}

Status WriteGeneration(Database& db, uint64_t generation) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("UPDATE meta SET value = ? WHERE key='generation'"));
  return st.Bind(1, static_cast<int64_t>(generation)).Run();
}

}  // namespace attune::client::store
