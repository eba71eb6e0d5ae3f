// The embedded MailboxStore: one SQLite database file (through SQLCipher's
// library, without a database key: everything stored is already ciphertext,
// a hash or a random id; see docs/security/relay.md) in WAL mode with
// synchronous=FULL, so a committed transaction survives kill -9 and power
// loss. secure_delete=ON overwrites deleted blobs in the database file.
//
// Schema and pragmas: docs/PROTOCOL.md (part mailbox) section 8.
//
// Thread safety: none (see MailboxStore). Other processes (the admin CLI) may
// open the same file concurrently; SQLite's locking serialises writers and
// each side waits up to kBusyTimeoutMs.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "attune/base/result.h"
#include "attune/relay/store/mailbox_store.h"

struct sqlite3;

namespace attune::relay {

inline constexpr int kSchemaVersion = 1;
// Checkpoint policy (see Commit()/AfterCommit()): after a commit that deleted
// blobs, the WAL is checkpointed and truncated once the committer is idle
// (GroupCommitter::kIdleMaintenanceDelay), and under continuous load at the
// latest this many committed batches after that first deletion.
inline constexpr uint32_t kCheckpointAfterDeletingBatches = 64;
inline constexpr int kBusyTimeoutMs = 5000;
// Bound of the mailbox-row cache (Options::cache_mailboxes); it is emptied
// after a commit once it holds more rows than this.
inline constexpr size_t kMaxCachedMailboxes = 65536;
// Lazy counters (Options::cache_mailboxes): a mailbox's counters are written
// in a commit only when it deleted the mailbox's newest message; all of them
// at the latest every this many commits and once the committer is idle.
inline constexpr uint32_t kFlushCountersAfterBatches = 64;
// Background checkpoints (Options::background_checkpoints): once a commit
// leaves the WAL with kBackgroundCheckpointFrames frames (SQLite's own
// automatic threshold), the checkpointer thread copies them into the
// database file while the writer goes on. It runs again for the frames
// committed meanwhile until at most kFinishCheckpointFrames are left; the
// writer copies those itself between two batches, which lets its next
// transaction start the WAL over. Should the WAL still reach kMaxWalFrames,
// the writer checkpoints all of it (RESTART) after that commit.
inline constexpr int kBackgroundCheckpointFrames = 1000;
inline constexpr int kFinishCheckpointFrames = 256;
inline constexpr int kMaxWalFrames = 16384;

class WalCheckpointer;

class SqliteMailboxStore final : public MailboxStore {
 public:
  struct Options {
    // Keeps mailbox rows in memory and writes their counters (next id, count,
    // bytes) lazily instead of once per message (see FlushDirty): a send is
    // then one INSERT, an ack one SELECT and one DELETE. Only for the connection
    // that is the sole writer of the mailboxes table (the relay's committer;
    // serve holds a lock on the data dir); never for a reader, which must see
    // rotations made elsewhere.
    bool cache_mailboxes = false;
    // Name of a registered sqlite3_vfs to open the file with (empty: the
    // default). Tests use it to inject I/O errors.
    std::string vfs;
    // Runs the WAL's size-triggered checkpoints on a second connection and
    // thread (WalCheckpointer) instead of inside the COMMIT that crosses
    // SQLite's threshold, so no request waits for one. For the relay's
    // committer (a long-lived writer); see kBackgroundCheckpointFrames.
    bool background_checkpoints = false;
  };

  // Opens (creating if missing) the database at `path`. Errors: kIoError
  // when it cannot be opened or is not a database; kUnsupportedVersion for
  // another schema version.
  static Result<std::unique_ptr<SqliteMailboxStore>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<SqliteMailboxStore>> Open(const std::string& path) {
    return Open(path, Options{});
  }
  ~SqliteMailboxStore() override;

  SqliteMailboxStore(const SqliteMailboxStore&) = delete;
  SqliteMailboxStore& operator=(const SqliteMailboxStore&) = delete;

  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  Status BeginOperation() override;
  Status EndOperation() override;
  bool TransactionOpen() override;
  void AfterCommit(bool idle) override;
  // With cache_mailboxes: ids of a rolled-back transaction are skipped.
  bool SkipsIdsOfFailedCommits() const override { return options_.cache_mailboxes; }

  // Caps the database at `pages` pages (PRAGMA max_page_count, this
  // connection only); writes past it fail with SQLITE_FULL. 0 lifts the cap
  // back to SQLite's maximum.
  Status SetMaxPageCount(uint64_t pages);
  // Copies the WAL into the database file and truncates the WAL to zero
  // bytes, so deleted blobs no longer sit in old WAL frames. kIoError (and
  // nothing lost) when a reader kept it from finishing.
  Status CheckpointTruncate();
  // PASSIVE checkpoints the background checkpointer has completed (0
  // without background_checkpoints).
  uint64_t BackgroundCheckpoints() const;

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
  class Statements;
  struct IdHash {
    size_t operator()(const MailboxId& id) const {
      size_t h = 0;
      std::memcpy(&h, id.data(), sizeof h);  // ids are uniformly random
      return h;
    }
  };

  SqliteMailboxStore(sqlite3* db, Options options);
  // sqlite3_wal_hook: after each commit of this connection, with the
  // number of frames now in the WAL. Replaces SQLite's automatic checkpoint.
  static int OnWalCommit(void* store, sqlite3* db, const char* schema, int frames);
  Status Exec(const char* sql);
  // Writes the counters of dirty cached mailboxes: all of them, or (all =
  // false, at a commit) only those whose newest message was deleted in the
  // transaction. The rest may lag on disk; kRepairCounters recomputes them
  // on open, and next_message_id is always recoverable (max of the stored
  // value and the newest row + 1).
  Status FlushDirty(bool all);
  Status WriteCounters(const MailboxId& id, const MailboxRecord& record);
  // Outside a transaction each call must be durable on its own.
  Status FlushIfAutocommit() { return in_transaction_ ? Status::Ok() : FlushDirty(true); }
  // Records the first failure: of the open operation (EndOperation() undoes
  // it), else of the transaction (Commit() refuses).
  Error Fail(Error error);
  // Opens the open operation's SAVEPOINT before its first write.
  Status Savepoint();
  // The hot path's writes (a send's INSERT, an ack's DELETE, a rotation's
  // UPDATE) are normally an operation's only write: they run without a
  // savepoint, since a failed statement changes nothing on its own (or SQLite
  // ends the whole transaction, which TransactionOpen() reports). This saves
  // a SAVEPOINT and a RELEASE per message. Called after such a write
  // succeeded: if the operation fails later, it can no longer be undone
  // alone, and EndOperation() fails the whole transaction instead.
  void WroteAlone() {
    if (in_operation_ && !savepoint_open_) wrote_alone_ = true;
  }
  // A storage error once SQLite rolled the open transaction back on its own.
  Status CheckTransaction();
  // Saves a cached mailbox's state before the open operation changes it, so
  // EndOperation() can restore it when the operation's writes are undone.
  void Remember(const MailboxId& id);
  void UndoOperationCache();
  // Recomputes a mailbox's counters from its message rows (after they were
  // found to disagree) and drops its cached row.
  Status Recount(const MailboxId& id);
  // An INSERT of a message failed: a primary-key clash repairs the counters
  // and gives kAlreadyExists (retry with the new next id); anything else is
  // a storage failure.
  Error InsertFailed(const MailboxId& id, Error error);
  void NoteBlobsDeleted() {
    if (in_transaction_) {
      deleted_in_transaction_ = true;
    } else {
      checkpoint_due_ = true;
    }
  }

  // Blob sizes of messages appended through this store (cache_mailboxes),
  // so an ack's DELETE needs no SELECT first. Entries of rows that were
  // undone or purged are harmless: the DELETE then changes nothing.
  struct SizeKey {
    MailboxId id{};
    uint64_t message_id = 0;
    bool operator==(const SizeKey& o) const { return message_id == o.message_id && id == o.id; }
  };
  struct SizeKeyHash {
    size_t operator()(const SizeKey& k) const {
      return IdHash{}(k.id) ^ (k.message_id * 0x9e3779b97f4a7c15ull);
    }
  };
  static constexpr size_t kMaxKnownSizes = 65536;
  std::unordered_map<SizeKey, uint32_t, SizeKeyHash> sizes_{};

  sqlite3* db_ = nullptr;
  const Options options_{};
  std::unique_ptr<Statements> stmts_{};
  std::unordered_map<MailboxId, MailboxRecord, IdHash> cache_{};
  std::unordered_set<MailboxId, IdHash> dirty_{};
  // Dirty mailboxes whose newest message the open transaction deleted (and
  // did not append after): their counters are written at this commit.
  std::unordered_set<MailboxId, IdHash> newest_deleted_{};
  // Dirty mailboxes of a rolled-back cache and the next id the cache had
  // reached, recounted (and raised to at least that id) at the next Begin().
  std::vector<std::pair<MailboxId, uint64_t>> recount_pending_{};
  uint32_t batches_since_counter_flush_ = 0;
  bool in_transaction_ = false;
  std::optional<Error> transaction_error_{};
  bool in_operation_ = false;
  bool savepoint_open_ = false;
  bool wrote_alone_ = false;
  std::optional<Error> operation_error_{};
  struct Undo {
    MailboxId id{};
    std::optional<MailboxRecord> cached{};
    bool dirty = false;
    bool newest_deleted = false;
  };
  std::vector<Undo> undo_{};  // of the open operation
  // Checkpoint policy state: blobs were deleted since the last checkpoint
  // (checkpoint_due_), and batches committed since the first such deletion.
  bool deleted_in_transaction_ = false;
  bool checkpoint_due_ = false;
  uint32_t batches_since_delete_ = 0;
  // Background checkpoints: frames in the WAL after the last commit; a
  // cycle runs from the commit that crossed kBackgroundCheckpointFrames to
  // the checkpoint that copied everything.
  std::unique_ptr<WalCheckpointer> checkpointer_{};
  int wal_frames_ = 0;
  bool checkpoint_cycle_ = false;
  uint64_t steps_seen_ = 0;  // background checkpoint steps already looked at
  // Runs the next step of a background checkpoint cycle (AfterCommit).
  void ContinueCheckpointCycle();
  // Every checkpoint of this connection: sqlite3_wal_checkpoint_v2 in
  // `mode`, after the background checkpointer's step in progress.
  int WriterCheckpoint(int mode, int* log_frames, int* checkpointed);
};

}  // namespace attune::relay
