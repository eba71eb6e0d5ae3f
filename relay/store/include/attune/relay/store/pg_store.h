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
// BEGIN, appends to a mailbox this transaction has locked (GetMailbox) and
// ForgetMessage are sent without waiting for their answers; the next
// statement whose answer is needed collects them in the same round trip,
// and a failure among them fails the transaction (never one operation's
// answer alone: an OK is only sent after COMMIT succeeded). So a send costs
// one round trip (the locked read), an ack none, a batch one more (COMMIT).
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
#include <string>
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
  // In a pipelined transaction: locks a mailbox row and counts its messages.
  Result<std::vector<pg::PgResult>> LockMailbox(const pg::PgParams& params);
  // In a pipelined transaction: sends write `stmt` without waiting.
  Status Defer(size_t stmt, const pg::PgParams& params, bool expect_row);

  std::unique_ptr<pg::PgConnection> conn_{};
  const MailboxTagger& tagger_;
  std::atomic<int> backend_pid_{0};
  bool in_transaction_ = false;
  bool pipelined_ = false;  // this transaction runs in pipeline mode (no savepoints)
  // Next message id of each mailbox this transaction has locked (GetMailbox
  // FOR UPDATE): an append with that id cannot fail, so it is deferred.
  std::map<MailboxId, uint64_t> locked_next_{};
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
