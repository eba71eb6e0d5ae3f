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

// Version 2: counters instead of COUNT/SUM scans for the quota check (the
// scan walked every not-yet-vacuumed deleted row of the mailbox: ~100 us per
// send under load). A send adds to its mailbox row's stored_* under the row
// lock it holds anyway; acks, expiry and purges add to mailbox_freed instead,
// so they still never lock the mailbox row (no lock cycles between one
// node's acks and another's sends). The usage a send checks is
// stored - freed; an uncommitted ack is not yet subtracted, so the check can
// only be stricter than the truth, never looser.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE mailboxes ADD COLUMN stored_count bigint NOT NULL DEFAULT 0,
  ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0;
UPDATE mailboxes m SET stored_count = s.n, stored_bytes = s.bytes
  FROM (SELECT mailbox_id, count(*) AS n, sum(octet_length(blob))::bigint AS bytes
        FROM messages GROUP BY mailbox_id) s
  WHERE m.id = s.mailbox_id;
CREATE TABLE mailbox_freed(
  mailbox_id bytea PRIMARY KEY,
  count bigint NOT NULL,
  bytes bigint NOT NULL);
DROP FUNCTION IF EXISTS attune_lock_mailbox(bytea);
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
};

// What a deletion of messages (CTE "d" returning mailbox_id and len) adds to
// mailbox_freed: one row per mailbox, so ON CONFLICT never meets a row twice.
#define ATTUNE_PG_FREED_UPSERT                                                \
  "f AS (INSERT INTO mailbox_freed AS f(mailbox_id, count, bytes) "           \
  "SELECT mailbox_id, count(*), sum(len) FROM d GROUP BY mailbox_id "         \
  "ON CONFLICT (mailbox_id) DO UPDATE SET count = f.count + excluded.count, " \
  "bytes = f.bytes + excluded.bytes) "

#define ATTUNE_PG_MAILBOX_USAGE                                                                \
  "SELECT m.owner_key, m.cap_hash, m.next_message_id, m.stored_count - coalesce(f.count, 0), " \
  "m.stored_bytes - coalesce(f.bytes, 0) FROM mailboxes m "                                    \
  "LEFT JOIN mailbox_freed f ON f.mailbox_id = m.id WHERE m.id = $1"

// Indexed by Stmt. Inside a transaction the store reads rows it is about to
// decide on with FOR UPDATE, so the check (quota, credential uses, ticket)
// and the write are atomic across nodes: a second node's transaction waits
// for the row lock and then sees the first one's committed result.
constexpr StatementSql kStatements[] = {
    {"get_mailbox", ATTUNE_PG_MAILBOX_USAGE, true},
    // After the lock is granted PostgreSQL returns the row's newest version
    // (READ COMMITTED): its stored_* include every append committed before.
    {"get_mailbox_for_update", ATTUNE_PG_MAILBOX_USAGE " FOR UPDATE OF m"},
    // The same for a mailbox with acks ($2: message ids) buffered in this
    // transaction and not yet sent: their messages, as far as they still
    // exist, no longer count (the acks will delete them before COMMIT).
    {"lock_mailbox_minus_acks",
     "SELECT m.owner_key, m.cap_hash, m.next_message_id, "
     "m.stored_count - coalesce(f.count, 0) - a.n, m.stored_bytes - coalesce(f.bytes, 0) - a.bytes "
     "FROM mailboxes m LEFT JOIN mailbox_freed f ON f.mailbox_id = m.id CROSS JOIN "
     "(SELECT count(*) AS n, coalesce(sum(x.len), 0)::bigint AS bytes "
     "FROM unnest($2::bigint[]) AS u(message_id) CROSS JOIN LATERAL "
     "(SELECT octet_length(blob) AS len FROM messages "
     "WHERE mailbox_id = $1 AND message_id = u.message_id) x) a "
     "WHERE m.id = $1 FOR UPDATE OF m"},
    // A freed row left by an ack that raced the mailbox's deletion must not
    // count against a mailbox created later with the same id.
    {"insert_mailbox",
     "WITH f AS (DELETE FROM mailbox_freed WHERE mailbox_id = $1 AND "
     "NOT EXISTS (SELECT 1 FROM mailboxes WHERE id = $1)) "
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
    {"delete_mailbox_messages",
     "WITH f AS (DELETE FROM mailbox_freed WHERE mailbox_id = $1) "
     "DELETE FROM messages WHERE mailbox_id = $1"},
    // One round trip: advance the id (only if $2 is the next id), count the
    // blob, store it and queue the notification (delivered at commit).
    {"append_message",
     "WITH m AS (UPDATE mailboxes SET next_message_id = next_message_id + 1, "
     "stored_count = stored_count + 1, stored_bytes = stored_bytes + octet_length($4::bytea) "
     "WHERE id = $1 AND next_message_id = $2 RETURNING id), "
     "i AS (INSERT INTO messages(mailbox_id, message_id, expires_at, blob) "
     "SELECT id, $2, $3, $4 FROM m RETURNING 1) "
     "SELECT pg_notify('attune_mailbox', $5) FROM i"},
    // The appends of a transaction to mailboxes it has locked, as one
    // statement (arrays: mailbox ids, message ids, expiries, blobs; the
    // distinct hex tags). The ids were read under the lock, so they are the
    // next ones; a taken one fails the statement (primary key).
    {"append_messages",
     "WITH v AS (SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bytea[]) "
     "AS v(mailbox_id, message_id, expires_at, blob)), "
     "i AS (INSERT INTO messages(mailbox_id, message_id, expires_at, blob) "
     "SELECT mailbox_id, message_id, expires_at, blob FROM v), "
     "u AS (UPDATE mailboxes m SET next_message_id = s.next, "
     "stored_count = m.stored_count + s.n, stored_bytes = m.stored_bytes + s.bytes "
     "FROM (SELECT mailbox_id, max(message_id) + 1 AS next, count(*) AS n, "
     "sum(octet_length(blob))::bigint AS bytes FROM v GROUP BY mailbox_id) s "
     "WHERE m.id = ANY($6::bytea[]) AND m.id = s.mailbox_id) "
     "SELECT count(pg_notify('attune_mailbox', t)) FROM unnest($5::text[]) AS t"},
    {"fetch_messages",
     "SELECT message_id, blob FROM messages WHERE mailbox_id = $1 AND message_id > $2 AND "
     "expires_at > $3 ORDER BY message_id LIMIT $4",
     true},
    // Deletions return how many messages went; they add to mailbox_freed.
    {"delete_message",
     "WITH d AS (DELETE FROM messages WHERE mailbox_id = $1 AND message_id = $2 "
     "RETURNING mailbox_id, octet_length(blob) AS len), " ATTUNE_PG_FREED_UPSERT
     "SELECT count(*) FROM d"},
    // The acks of a transaction as one statement (arrays: mailbox ids,
    // message ids); a missing row is no error (acks are idempotent). Each
    // pair is looked up by primary key (LATERAL), whatever the generic plan
    // would make of a join with a table full of not-yet-vacuumed rows.
    {"delete_messages",
     "WITH d AS (DELETE FROM messages WHERE ctid = ANY(ARRAY("
     "SELECT m.ctid FROM unnest($1::bytea[], $2::bigint[]) AS a(mailbox_id, message_id) "
     "CROSS JOIN LATERAL (SELECT ctid FROM messages WHERE mailbox_id = a.mailbox_id AND "
     "message_id = a.message_id) m)) RETURNING mailbox_id, octet_length(blob) AS "
     "len), " ATTUNE_PG_FREED_UPSERT "SELECT count(*) FROM d"},
    // SKIP LOCKED: two nodes purging at once split the work instead of waiting.
    {"purge_messages",
     "WITH d AS (DELETE FROM messages WHERE ctid = ANY(ARRAY(SELECT ctid FROM messages "
     "WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)) "
     "RETURNING mailbox_id, octet_length(blob) AS len), " ATTUNE_PG_FREED_UPSERT
     "SELECT count(*) FROM d"},
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
         stmt != kLockMailboxMinusAcks && stmt != kFindCredentialForUpdate &&
         stmt != kFindTicketForUpdate;
}

}  // namespace attune::relay::pg
