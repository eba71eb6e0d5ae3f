// The MailboxStore for clusters: PostgreSQL through libpq, shared by any
// number of relay nodes (docs/deploy.md, "Cluster").
//
// Same contract as the SQLite store (mailbox_store.h): Commit() returns OK
// only after PostgreSQL committed with synchronous_commit = on (the WAL is
// flushed, and held by the synchronous standbys when the operator set
// synchronous_standby_names). Checks that guard a write (quota, next message
// id, credential uses, ticket) read their rows with SELECT ... FOR UPDATE
// inside the transaction, so two nodes can never both accept past a quota or
// both spend the last use of a credential. Every statement is prepared.
//
// Operations: a group commit's operations run without savepoints, because a
// savepoint per operation costs a round trip and a subtransaction each (and
// past 64 of them every snapshot of every node gets slower). An operation
// that fails before it wrote anything and without a failed statement (a bad
// message id) fails alone. A failed statement (e.g. a lock timeout against
// another node) aborts the transaction: TransactionOpen() turns false, the
// committer answers the operations run in it UNAVAILABLE (the clients retry)
// and runs the rest of the batch in a new transaction. After such a failure
// the next kSavepointTransactions transactions put each operation under its
// own SAVEPOINT, so under contention a failed operation is rolled back alone
// and the rest of its batch commits.
//
// Connection loss: a call fails (kIoError, the request is answered
// UNAVAILABLE); the next Begin() or call outside a transaction reconnects,
// with exponential backoff between attempts (100 ms .. 5 s) during which
// calls fail at once instead of blocking the storage thread.
//
// Round trips: a transaction without savepoints runs in libpq pipeline mode.
// BEGIN travels with the first statement. A send's locked read (GetMailbox)
// is the only statement that waits for its answer, and only the first one
// per mailbox (the locked row is cached for the transaction). Appends to
// locked mailboxes and ForgetMessage are held back and sent as one
// set-based statement each (unnest of arrays) with COMMIT, or before the
// next statement that may touch their rows; a failure among them fails the
// transaction (never one operation's answer alone: an OK is only sent after
// COMMIT succeeded). So a send costs one round trip, an ack none, a batch
// one more (COMMIT).
//
// Notifications: AppendMessage queues NOTIFY attune_mailbox with the hex
// MailboxTag of the mailbox; PostgreSQL delivers it to the other nodes at
// commit (PgNotificationListener).
//
// Thread safety: none (see MailboxStore); backend_pid() from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "attune/base/result.h"
#include "attune/relay/store/mailbox_notifier.h"
#include "attune/relay/store/mailbox_store.h"

namespace attune::relay {

namespace pg {
class PgConnection;
class PgParams;
class PgResult;
}  // namespace pg

class PgMailboxStore final : public MailboxStore {
 public:
  // Connects (libpq connection string; the password comes from a passfile,
  // never from argv) and checks that the schema is this build's version.
  // Errors: kIoError when the database cannot be reached;
  // kUnsupportedVersion when the schema is missing or another version (run
  // `attune-relay db migrate`). `tagger` must outlive the store.
  static Result<std::unique_ptr<PgMailboxStore>> Open(const std::string& conninfo,
                                                      const MailboxTagger& tagger);
  ~PgMailboxStore() override;
  PgMailboxStore(const PgMailboxStore&) = delete;
  PgMailboxStore& operator=(const PgMailboxStore&) = delete;

  // The server process of the current connection (0 while disconnected):
  // the listener ignores notifications this node sent itself.
  int backend_pid() const { return backend_pid_.load(std::memory_order_relaxed); }

  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  Status EndOperation() override;
  bool TransactionOpen() override { return !in_transaction_ || !transaction_error_; }

  // Transactions that use per-operation savepoints after a failed statement.
  static constexpr int kSavepointTransactions = 16;

  Result<std::optional<MailboxRecord>> GetMailbox(const MailboxId& id) override;
  Status InsertMailbox(const MailboxRecord& record) override;
  Status UpdateMailboxKeys(const MailboxId& id, const OwnerKey& owner_key,
                           const Hash32& cap_hash) override;
  Result<bool> DeleteMailbox(const MailboxId& id) override;

  Status AppendMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                       uint64_t expires_at) override;
  Result<std::vector<StoredMessage>> FetchMessages(const MailboxId& id, uint64_t after_id,
                                                   uint64_t now, size_t max_count,
                                                   size_t max_bytes) override;
  Result<bool> DeleteMessage(const MailboxId& id, uint64_t message_id) override;
  Status ForgetMessage(const MailboxId& id, uint64_t message_id) override;
  Result<uint64_t> PurgeExpired(uint64_t now, size_t max_rows) override;

  Result<int64_t> InsertCredential(const Hash32& hash, uint64_t uses, uint64_t expires_at) override;
  Result<std::optional<CredentialRecord>> FindCredential(const Hash32& hash) override;
  Status SetCredentialUses(int64_t id, uint64_t uses_left) override;
  Result<std::vector<CredentialRecord>> ListCredentials() override;
  Result<bool> RevokeCredential(int64_t id) override;

  Status InsertTicket(const TicketRecord& ticket) override;
  Result<std::optional<TicketRecord>> FindTicket(const Hash32& hash) override;
  Status DeleteTicket(const Hash32& hash) override;

 private:
  PgMailboxStore(std::unique_ptr<pg::PgConnection> conn, const MailboxTagger& tagger);
  // Before each statement: outside a transaction, (re)connects; inside one,
  // opens the operation's savepoint when it is the operation's first.
  Status Prepare();
  // Runs prepared statement `stmt` (a pg::Stmt) after Prepare().
  Result<pg::PgResult> Run(size_t stmt, const pg::PgParams& params);
  // Records a failure: it fails the current operation alone when that is
  // safe (its savepoint is open; or nothing of it was written and no
  // statement failed), else the whole transaction. `statement_failed`: the
  // server rejected a statement, which aborts a transaction without savepoint.
  Error Fail(Error error, bool statement_failed = false);
  // In a pipelined transaction: sends the buffered appends and acks, each
  // kind as one set-based statement, without waiting. Runs before any other
  // statement of the transaction and before COMMIT, so statements still
  // reach the server in the order of the operations.
  Status FlushBuffered();
  void ClearTransactionState();
  // A buffered write may join the transaction (no failure recorded).
  Status BufferedWriteAllowed();

  std::unique_ptr<pg::PgConnection> conn_{};
  const MailboxTagger& tagger_;
  std::atomic<int> backend_pid_{0};
  bool in_transaction_ = false;
  bool pipelined_ = false;  // this transaction runs in pipeline mode (no savepoints)
  // Each mailbox this pipelined transaction has locked (GetMailbox FOR
  // UPDATE), as this transaction changed it: nothing but this transaction
  // can append to it or change its keys, so a later GetMailbox of the same
  // mailbox needs no round trip, and an append with its next id cannot fail
  // and is buffered. Other nodes' acks may only lower the true usage, so
  // the cached usage is never below it.
  std::map<MailboxId, MailboxRecord> locked_{};
  struct BufferedAppend {
    MailboxId id{};
    uint64_t message_id = 0;
    uint64_t expires_at = 0;
    Blob blob{};
  };
  std::vector<BufferedAppend> appends_{};
  std::vector<std::pair<MailboxId, uint64_t>> acks_{};
  std::set<MailboxId> buffered_ids_{};  // the mailboxes of appends_ and acks_
  std::set<MailboxId> appended_ids_{};  // the mailboxes of appends_
  // The next statement (a lock of a mailbox not in buffered_ids_) may run
  // before the buffered writes.
  bool keep_buffered_ = false;
  // Buffered writes sent at once when this many wait (a batch is larger
  // than this only under a flood).
  static constexpr size_t kMaxBuffered = 512;
  bool use_savepoints_ = false;     // this transaction puts each operation under a savepoint
  int savepoint_transactions_ = 0;  // transactions left that use savepoints
  bool operation_wrote_ = false;    // the current operation changed a row
  bool savepoint_open_ = false;
  bool release_pending_ = false;  // the last operation's savepoint awaits RELEASE
  std::optional<Error> operation_error_{};
  std::optional<Error> transaction_error_{};
};

// Creates or upgrades the schema to this build's version, in one
// transaction, serialised against concurrent runs by an advisory lock.
// Returns the version found before (0 for an empty database). Errors:
// kIoError; kUnsupportedVersion when the database is newer than this build.
Result<int> MigratePostgres(const std::string& conninfo);
// The schema version this build needs.
int PostgresSchemaVersion();

// Checks a libpq connection string from the configuration and adds
// passfile=`password_file` when one is given. Passwords never go into the
// string itself (it is logged on errors and visible to whoever reads the
// config): kInvalidArgument when it is malformed or has a password.
Result<std::string> BuildPostgresConninfo(const std::string& connection,
                                          const std::string& password_file);

}  // namespace attune::relay
