#include "pg_sql.h"

#include <iterator>

namespace attune::relay::pg {
namespace {

// Version 1: the SQLite schema's tables and nothing more (no addresses, no
// names, no timestamps of access). Differences, each for concurrency between
// nodes: a mailbox row holds no message/byte counters (they are counted from
// messages, so an ack deletes one row and never locks the mailbox row, and
// acks on one node cannot deadlock with sends on another); blobs are stored
// uncompressed (ciphertext does not compress).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE mailboxes(
  id bytea PRIMARY KEY,
  owner_key bytea NOT NULL,
  cap_hash bytea NOT NULL,
  next_message_id bigint NOT NULL);
CREATE TABLE messages(
  mailbox_id bytea NOT NULL,
  message_id bigint NOT NULL,
  expires_at bigint NOT NULL,
  blob bytea NOT NULL,
  PRIMARY KEY(mailbox_id, message_id));
ALTER TABLE messages ALTER COLUMN blob SET STORAGE EXTERNAL;
CREATE INDEX messages_by_expiry ON messages(expires_at);
CREATE TABLE credentials(
  id bigserial PRIMARY KEY,
  hash bytea NOT NULL UNIQUE,
  uses_left bigint NOT NULL,
  expires_at bigint NOT NULL,
  revoked boolean NOT NULL);
CREATE TABLE tickets(
  hash bytea PRIMARY KEY,
  credential_id bigint NOT NULL,
  expires_at bigint NOT NULL);
-- Locks a mailbox row and counts its messages in one round trip. The count
-- is a second statement, so (READ COMMITTED) it runs on a snapshot taken
-- after the lock was granted and includes every message the previous lock
-- holder (another node's transaction) committed: the quota check that
-- follows cannot be fooled by a concurrent send.
CREATE FUNCTION attune_lock_mailbox(mailbox bytea, OUT owner_key bytea, OUT cap_hash bytea,
    OUT next_message_id bigint, OUT message_count bigint, OUT byte_count bigint)
  RETURNS SETOF record LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  SELECT m.owner_key, m.cap_hash, m.next_message_id INTO owner_key, cap_hash, next_message_id
    FROM mailboxes m WHERE m.id = mailbox FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT count(*), coalesce(sum(octet_length(blob)), 0)::bigint INTO message_count, byte_count
    FROM messages WHERE mailbox_id = mailbox;
  RETURN NEXT;
END
$$;
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
};

// Indexed by Stmt. Inside a transaction the store reads rows it is about to
// decide on with FOR UPDATE, so the check (quota, credential uses, ticket)
// and the write are atomic across nodes: a second node's transaction waits
// for the row lock and then sees the first one's committed result.
constexpr StatementSql kStatements[] = {
    {"get_mailbox",
     "SELECT m.owner_key, m.cap_hash, m.next_message_id, "
     "(SELECT count(*) FROM messages WHERE mailbox_id = $1), "
     "(SELECT coalesce(sum(octet_length(blob)), 0)::bigint FROM messages WHERE mailbox_id = $1) "
     "FROM mailboxes m WHERE m.id = $1",
     true},
    {"get_mailbox_for_update", "SELECT * FROM attune_lock_mailbox($1)"},
    // The same as two statements sent in one pipeline (pg_store.cc): the
    // count is its own statement, so it takes its snapshot after the lock
    // was granted, like the function's second SELECT.
    {"lock_mailbox",
     "SELECT owner_key, cap_hash, next_message_id FROM mailboxes WHERE id = $1 FOR UPDATE"},
    {"count_messages",
     "SELECT count(*), coalesce(sum(octet_length(blob)), 0)::bigint FROM messages "
     "WHERE mailbox_id = $1",
     true},
    {"insert_mailbox",
     "INSERT INTO mailboxes(id, owner_key, cap_hash, next_message_id) VALUES($1, $2, $3, $4) "
     "ON CONFLICT (id) DO NOTHING"},
    // Rotation and deletion tell the other nodes to close the mailbox's
    // subscriptions ($4 / $2: "x" and the hex tag), delivered at commit.
    {"update_keys",
     "WITH u AS (UPDATE mailboxes SET owner_key = $2, cap_hash = $3 WHERE id = $1 RETURNING 1) "
     "SELECT pg_notify('attune_mailbox', $4) FROM u"},
    // The mailbox row goes first: it waits for a concurrent send's lock, and
    // the messages delete that follows sees that send's committed message.
    {"delete_mailbox",
     "WITH d AS (DELETE FROM mailboxes WHERE id = $1 RETURNING 1) "
     "SELECT pg_notify('attune_mailbox', $2) FROM d"},
    {"delete_mailbox_messages", "DELETE FROM messages WHERE mailbox_id = $1"},
    // One round trip: advance the id (only if $2 is the next id), store the
    // blob and queue the notification, which PostgreSQL delivers at commit.
    {"append_message",
     "WITH m AS (UPDATE mailboxes SET next_message_id = next_message_id + 1 "
     "WHERE id = $1 AND next_message_id = $2 RETURNING id), "
     "i AS (INSERT INTO messages(mailbox_id, message_id, expires_at, blob) "
     "SELECT id, $2, $3, $4 FROM m RETURNING 1) "
     "SELECT pg_notify('attune_mailbox', $5) FROM i"},
    {"fetch_messages",
     "SELECT message_id, blob FROM messages WHERE mailbox_id = $1 AND message_id > $2 AND "
     "expires_at > $3 ORDER BY message_id LIMIT $4",
     true},
    {"delete_message", "DELETE FROM messages WHERE mailbox_id = $1 AND message_id = $2"},
    // SKIP LOCKED: two nodes purging at once split the work instead of waiting.
    {"purge_messages",
     "DELETE FROM messages WHERE ctid = ANY(ARRAY(SELECT ctid FROM messages "
     "WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED))"},
    {"purge_tickets", "DELETE FROM tickets WHERE expires_at <= $1"},
    {"insert_credential",
     "INSERT INTO credentials(hash, uses_left, expires_at, revoked) VALUES($1, $2, $3, false) "
     "RETURNING id"},
    {"find_credential",
     "SELECT id, uses_left, expires_at, revoked FROM credentials WHERE hash = $1", true},
    {"find_credential_for_update",
     "SELECT id, uses_left, expires_at, revoked FROM credentials WHERE hash = $1 FOR UPDATE"},
    {"set_credential_uses", "UPDATE credentials SET uses_left = $2 WHERE id = $1"},
    {"list_credentials", "SELECT id, uses_left, expires_at, revoked FROM credentials ORDER BY id",
     true},
    {"revoke_credential", "UPDATE credentials SET revoked = true WHERE id = $1"},
    {"revoke_tickets", "DELETE FROM tickets WHERE credential_id = $1"},
    {"insert_ticket", "INSERT INTO tickets(hash, credential_id, expires_at) VALUES($1, $2, $3)"},
    {"find_ticket", "SELECT credential_id, expires_at FROM tickets WHERE hash = $1", true},
    {"find_ticket_for_update",
     "SELECT credential_id, expires_at FROM tickets WHERE hash = $1 FOR UPDATE"},
    {"delete_ticket", "DELETE FROM tickets WHERE hash = $1"},
};
static_assert(sizeof kStatements / sizeof kStatements[0] == kStatementCount);

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }
int LatestVersion() { return kMigrations[std::size(kMigrations) - 1].version; }
std::span<const StatementSql> Statements() { return kStatements; }
bool Writes(size_t stmt) {
  return stmt < kStatementCount && !kStatements[stmt].read_only && stmt != kGetMailboxForUpdate &&
         stmt != kLockMailbox && stmt != kFindCredentialForUpdate && stmt != kFindTicketForUpdate;
}

}  // namespace attune::relay::pg
