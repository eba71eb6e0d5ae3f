#include "attune/relay/store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>
#include <utility>
#include <vector>

#include "sqlite_statement.h"
#include "wal_checkpointer.h"

namespace attune::relay {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE mailboxes(id BLOB PRIMARY KEY, owner_key BLOB NOT NULL, cap_hash BLOB NOT NULL,
  next_message_id INTEGER NOT NULL, message_count INTEGER NOT NULL, byte_count INTEGER NOT NULL);
CREATE TABLE messages(mailbox_id BLOB NOT NULL, message_id INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, blob BLOB NOT NULL, PRIMARY KEY(mailbox_id, message_id));
CREATE INDEX messages_by_expiry ON messages(expires_at);
CREATE TABLE credentials(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,
  uses_left INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL);
CREATE TABLE tickets(hash BLOB PRIMARY KEY, credential_id INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
PRAGMA user_version = 1;
)sql";

// Recomputes the counters of every mailbox whose stored rows say otherwise.
// The writer stores counters lazily (SqliteMailboxStore::FlushDirty), so after
// a crash message_count and byte_count may lag; next_message_id is never
// behind a message id that was ever handed out, because it is written in the
// same transaction as any deletion of a mailbox's newest message, and
// otherwise that newest row still exists. Also repairs databases written by a
// relay before 0.2 that committed a message row without advancing
// next_message_id.
constexpr const char* kRepairCounters = R"sql(
UPDATE mailboxes SET
  next_message_id = max(next_message_id, coalesce(
    (SELECT max(message_id) FROM messages WHERE mailbox_id = mailboxes.id), 0) + 1),
  message_count = (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id),
  byte_count = (SELECT coalesce(sum(length(blob)), 0) FROM messages WHERE mailbox_id = mailboxes.id)
WHERE next_message_id <= coalesce(
    (SELECT max(message_id) FROM messages WHERE mailbox_id = mailboxes.id), 0)
  OR message_count != (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id)
  OR byte_count != (SELECT coalesce(sum(length(blob)), 0) FROM messages
                    WHERE mailbox_id = mailboxes.id);
)sql";

// The database and its -wal/-shm hold only ciphertext and hashes, but nobody
// else on the machine needs to read them: 0600. SQLite creates -wal and -shm
// with the main file's mode, so creating that one 0600 covers all three;
// files left by an older relay are tightened too.
Status RestrictFileModes(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIoError, "cannot open or create the database file");
  const int rc = ::fchmod(fd, 0600);
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kIoError, "cannot restrict the database file's mode");
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    if (::chmod(side.c_str(), 0600) != 0 && errno != ENOENT) {
      return MakeError(ErrorCode::kIoError, "cannot restrict the mode of " + side);
    }
  }
  return Status::Ok();
}

}  // namespace

class SqliteMailboxStore::Statements {
 public:
  Statement get_mailbox, insert_mailbox, update_keys, delete_mailbox, delete_mailbox_messages;
  Statement insert_message, advance_mailbox, fetch, message_size, delete_message, shrink_mailbox;
  Statement expired_mailboxes, purge_messages, recount_mailbox, purge_tickets;
  Statement insert_credential, find_credential, set_uses, list_credentials, revoke, revoke_tickets;
  Statement insert_ticket, find_ticket, delete_ticket, write_counters;
  Statement savepoint, release, rollback_to, begin, commit, rollback, raise_next;

  Status Prepare(sqlite3* db) {
    struct Entry {
      Statement* s = nullptr;
      const char* sql = nullptr;
    };
    const Entry entries[] = {
        {&get_mailbox,
         "SELECT owner_key, cap_hash, next_message_id, message_count, byte_count FROM mailboxes "
         "WHERE id = ?1"},
        {&insert_mailbox,
         "INSERT INTO mailboxes(id, owner_key, cap_hash, next_message_id, message_count, "
         "byte_count) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {&update_keys, "UPDATE mailboxes SET owner_key = ?2, cap_hash = ?3 WHERE id = ?1"},
        {&delete_mailbox, "DELETE FROM mailboxes WHERE id = ?1"},
        {&delete_mailbox_messages, "DELETE FROM messages WHERE mailbox_id = ?1"},
        {&insert_message,
         "INSERT INTO messages(mailbox_id, message_id, expires_at, blob) VALUES(?1, ?2, ?3, ?4)"},
        {&advance_mailbox,
         "UPDATE mailboxes SET next_message_id = ?2 + 1, message_count = message_count + 1, "
         "byte_count = byte_count + ?3 WHERE id = ?1 AND next_message_id = ?2"},
        {&fetch,
         "SELECT message_id, blob FROM messages WHERE mailbox_id = ?1 AND message_id > ?2 AND "
         "expires_at > ?3 ORDER BY message_id LIMIT ?4"},
        {&message_size,
         "SELECT length(blob) FROM messages WHERE mailbox_id = ?1 AND message_id = ?2"},
        {&delete_message, "DELETE FROM messages WHERE mailbox_id = ?1 AND message_id = ?2"},
        {&shrink_mailbox,
         "UPDATE mailboxes SET message_count = message_count - 1, byte_count = byte_count - ?2 "
         "WHERE id = ?1"},
        {&expired_mailboxes,
         "SELECT DISTINCT mailbox_id FROM (SELECT mailbox_id FROM messages WHERE expires_at <= "
         "?1 LIMIT ?2)"},
        {&purge_messages,
         "DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE expires_at <= ?1 "
         "LIMIT ?2)"},
        {&recount_mailbox,
         "UPDATE mailboxes SET message_count = (SELECT count(*) FROM messages WHERE mailbox_id = "
         "?1), byte_count = (SELECT coalesce(sum(length(blob)), 0) FROM messages WHERE "
         "mailbox_id = ?1), next_message_id = max(next_message_id, coalesce((SELECT "
         "max(message_id) FROM messages WHERE mailbox_id = ?1), 0) + 1) WHERE id = ?1"},
        {&purge_tickets, "DELETE FROM tickets WHERE expires_at <= ?1"},
        {&insert_credential,
         "INSERT INTO credentials(hash, uses_left, expires_at, revoked) VALUES(?1, ?2, ?3, 0)"},
        {&find_credential,
         "SELECT id, uses_left, expires_at, revoked FROM credentials WHERE hash = ?1"},
        {&set_uses, "UPDATE credentials SET uses_left = ?2 WHERE id = ?1"},
        {&list_credentials,
         "SELECT id, uses_left, expires_at, revoked FROM credentials ORDER BY id"},
        {&revoke, "UPDATE credentials SET revoked = 1 WHERE id = ?1"},
        {&revoke_tickets, "DELETE FROM tickets WHERE credential_id = ?1"},
        {&insert_ticket, "INSERT INTO tickets(hash, credential_id, expires_at) VALUES(?1, ?2, ?3)"},
        {&find_ticket, "SELECT credential_id, expires_at FROM tickets WHERE hash = ?1"},
        {&delete_ticket, "DELETE FROM tickets WHERE hash = ?1"},
        {&write_counters,
         "UPDATE mailboxes SET next_message_id = ?2, message_count = ?3, byte_count = ?4 "
         "WHERE id = ?1"},
        {&savepoint, "SAVEPOINT op"},
        {&release, "RELEASE op"},
        {&rollback_to, "ROLLBACK TO op"},
        {&begin, "BEGIN IMMEDIATE"},
        {&raise_next,
         "UPDATE mailboxes SET next_message_id = max(next_message_id, ?2) WHERE id = ?1"},
        {&commit, "COMMIT"},
        {&rollback, "ROLLBACK"},
    };
    for (const Entry& e : entries) ATTUNE_RETURN_IF_ERROR(e.s->Prepare(db, e.sql));
    return Status::Ok();
  }
};

Result<std::unique_ptr<SqliteMailboxStore>> SqliteMailboxStore::Open(const std::string& path,
                                                                     Options options) {
  ATTUNE_RETURN_IF_ERROR(RestrictFileModes(path));
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           options.vfs.empty() ? nullptr : options.vfs.c_str());
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db, "open database");
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteMailboxStore> store(new SqliteMailboxStore(db, std::move(options)));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // journal_mode=WAL must be set outside a transaction; it is persistent.
  // synchronous=FULL fsyncs the WAL on every commit: that fsync is what makes
  // an acknowledged send durable.
  ATTUNE_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  ATTUNE_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=FULL"));
  ATTUNE_RETURN_IF_ERROR(store->Exec("PRAGMA secure_delete=ON"));
  ATTUNE_RETURN_IF_ERROR(store->Exec("PRAGMA foreign_keys=OFF"));

  ATTUNE_RETURN_IF_ERROR(store->Exec("BEGIN IMMEDIATE"));
  int64_t version = -1;
  {
    Statement s;
    if (auto st = s.Prepare(db, "PRAGMA user_version"); !st.ok()) {
      store->Exec("ROLLBACK").ok();
      return st.error();
    }
    auto row = s.Step();
    if (!row.ok() || !*row) {
      store->Exec("ROLLBACK").ok();
      return MakeError(ErrorCode::kIoError, "cannot read the schema version");
    }
    version = s.Int(0);
  }
  if (version == 0) {
    if (auto st = store->Exec(kSchema); !st.ok()) {
      store->Exec("ROLLBACK").ok();
      return st.error();
    }
  } else if (version != kSchemaVersion) {
    store->Exec("ROLLBACK").ok();
    return MakeError(ErrorCode::kUnsupportedVersion,
                     "database schema version " + std::to_string(version) + " is not supported");
  }
  if (auto st = store->Exec(kRepairCounters); !st.ok()) {
    store->Exec("ROLLBACK").ok();
    return st.error();
  }
  ATTUNE_RETURN_IF_ERROR(store->Exec("COMMIT"));
  ATTUNE_RETURN_IF_ERROR(store->stmts_->Prepare(db));
  if (store->options_.background_checkpoints) {
    ATTUNE_ASSIGN_OR_RETURN(store->checkpointer_,
                            WalCheckpointer::Start(path, store->options_.vfs));
    sqlite3_wal_hook(db, &SqliteMailboxStore::OnWalCommit, store.get());
  }
  return store;
}

int SqliteMailboxStore::OnWalCommit(void* store, sqlite3* /*db*/, const char* /*schema*/,
                                    int frames) {
  auto* self = static_cast<SqliteMailboxStore*>(store);
  self->wal_frames_ = frames;
  if (frames >= kBackgroundCheckpointFrames && !self->checkpoint_cycle_ &&
      self->checkpointer_ != nullptr) {
    self->checkpoint_cycle_ = true;
    self->checkpointer_->Request();
  }
  return SQLITE_OK;
}

int SqliteMailboxStore::WriterCheckpoint(int mode, int* log_frames, int* checkpointed) {
  // The background step in progress, if any, finishes first: the two would
  // otherwise meet as SQLITE_BUSY.
  std::unique_lock<std::mutex> exclusive;
  if (checkpointer_ != nullptr) exclusive = checkpointer_->Exclusive();
  return sqlite3_wal_checkpoint_v2(db_, nullptr, mode, log_frames, checkpointed);
}

void SqliteMailboxStore::ContinueCheckpointCycle() {
  int log_frames = 0;
  int checkpointed = 0;
  if (wal_frames_ >= kMaxWalFrames) {
    // The cycle never finished (the writer outran every step): copy all of
    // it now, while nothing is written, waiting (busy timeout) for readers.
    // SQLITE_BUSY while another process checkpoints: the next commit tries
    // again.
    if (WriterCheckpoint(SQLITE_CHECKPOINT_RESTART, &log_frames, &checkpointed) == SQLITE_OK) {
      checkpoint_cycle_ = false;
    }
    return;
  }
  const WalCheckpointer::Stats stats = checkpointer_->stats();
  if (stats.steps == steps_seen_) return;  // a step still runs
  steps_seen_ = stats.steps;
  if (wal_frames_ - stats.copied_frames > kFinishCheckpointFrames) {
    checkpointer_->Request();  // the frames committed during that step (or a retry)
    return;
  }
  // Few frames left: copy them here, between two batches, so that nothing
  // is appended meanwhile and the next transaction starts the WAL over.
  const int rc = WriterCheckpoint(SQLITE_CHECKPOINT_PASSIVE, &log_frames, &checkpointed);
  if (rc == SQLITE_OK && checkpointed == log_frames) {
    checkpoint_cycle_ = false;
  } else {
    checkpointer_->Request();  // a reader or another process was in the way
  }
}

uint64_t SqliteMailboxStore::BackgroundCheckpoints() const {
  return checkpointer_ != nullptr ? checkpointer_->stats().checkpoints : 0;
}

SqliteMailboxStore::SqliteMailboxStore(sqlite3* db, Options options)
    : db_(db), options_(std::move(options)), stmts_(std::make_unique<Statements>()) {}

SqliteMailboxStore::~SqliteMailboxStore() {
  // First: its connection must be closed before this one, the last, whose
  // close checkpoints the WAL and removes it.
  checkpointer_.reset();
  if (in_transaction_) Rollback();
  // A clean close leaves no counter behind (a crash is repaired on open).
  if (!dirty_.empty() && Begin().ok()) {
    if (FlushDirty(true).ok()) {
      Commit().ok();
    } else {
      Rollback();
    }
  }
  stmts_.reset();  // finalize statements before closing
  sqlite3_close(db_);
}

Status SqliteMailboxStore::Exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg != nullptr ? msg : "unknown error";
    sqlite3_free(msg);
    return MakeError(ErrorCode::kIoError, "sqlite: " + text);
  }
  return Status::Ok();
}

Error SqliteMailboxStore::Fail(Error error) {
  if (in_operation_) {
    if (!operation_error_) operation_error_ = error;
  } else if (in_transaction_ && !transaction_error_) {
    transaction_error_ = error;
  }
  return error;
}

Status SqliteMailboxStore::CheckTransaction() {
  if (in_transaction_ && sqlite3_get_autocommit(db_) != 0) {
    return Fail(MakeError(ErrorCode::kIoError, "the database rolled the transaction back"));
  }
  return Status::Ok();
}

bool SqliteMailboxStore::TransactionOpen() {
  return in_transaction_ && sqlite3_get_autocommit(db_) == 0;
}

void SqliteMailboxStore::Remember(const MailboxId& id) {
  if (!in_operation_) return;
  for (const Undo& u : undo_) {
    if (u.id == id) return;
  }
  Undo u;
  u.id = id;
  if (auto it = cache_.find(id); it != cache_.end()) u.cached = it->second;
  u.dirty = dirty_.count(id) != 0;
  u.newest_deleted = newest_deleted_.count(id) != 0;
  undo_.push_back(u);
}

void SqliteMailboxStore::UndoOperationCache() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (it->cached) {
      cache_[it->id] = *it->cached;
    } else {
      cache_.erase(it->id);
    }
    if (it->dirty) {
      dirty_.insert(it->id);
    } else {
      dirty_.erase(it->id);
    }
    if (it->newest_deleted) {
      newest_deleted_.insert(it->id);
    } else {
      newest_deleted_.erase(it->id);
    }
  }
  undo_.clear();
}

Status SqliteMailboxStore::BeginOperation() {
  if (!in_transaction_) return Status::Ok();
  if (in_operation_) return MakeError(ErrorCode::kInternal, "operation already open");
  ATTUNE_RETURN_IF_ERROR(CheckTransaction());
  // The SAVEPOINT itself is opened by the operation's first write
  // (Savepoint()): requests that only read (refused sends, lookups) cost no
  // extra statements.
  in_operation_ = true;
  savepoint_open_ = false;
  wrote_alone_ = false;
  operation_error_.reset();
  undo_.clear();
  return Status::Ok();
}

Status SqliteMailboxStore::Savepoint() {
  if (!in_operation_ || savepoint_open_) return Status::Ok();
  StatementUse s(stmts_->savepoint);
  if (Status st = s->Run(); !st.ok()) return Fail(st.error());
  savepoint_open_ = true;
  return Status::Ok();
}

Status SqliteMailboxStore::EndOperation() {
  if (!in_operation_) return Status::Ok();
  in_operation_ = false;
  const bool had_savepoint = savepoint_open_;
  const bool wrote_alone = wrote_alone_;
  savepoint_open_ = false;
  wrote_alone_ = false;
  if (!operation_error_ && sqlite3_get_autocommit(db_) == 0) {
    if (!had_savepoint) {
      undo_.clear();
      return Status::Ok();
    }
    StatementUse s(stmts_->release);
    Status st = s->Run();
    if (st.ok()) {
      undo_.clear();
      return Status::Ok();
    }
    operation_error_ = st.error();
  }
  Error error = operation_error_
                    ? *operation_error_
                    : MakeError(ErrorCode::kIoError, "the database rolled the transaction back");
  operation_error_.reset();
  if (sqlite3_get_autocommit(db_) != 0) {
    // SQLite ended the whole transaction: nothing of it remains, and
    // TransactionOpen() now says so. Rollback() resets the cache.
    undo_.clear();
    return error;
  }
  if (wrote_alone) {
    // A write made without a savepoint succeeded before the failure: it
    // cannot be undone alone, so the whole transaction fails.
    if (!transaction_error_) transaction_error_ = error;
    undo_.clear();
    return error;
  }
  bool undone = true;  // nothing written: nothing to undo in SQL
  if (had_savepoint) {
    {
      StatementUse s(stmts_->rollback_to);
      undone = s->Run().ok();
    }
    if (undone) {
      StatementUse s(stmts_->release);
      undone = s->Run().ok();
    }
  }
  if (!undone || sqlite3_get_autocommit(db_) != 0) {
    // Could not undo this operation alone: fail the whole transaction.
    if (!transaction_error_) transaction_error_ = error;
    undo_.clear();
    return error;
  }
  UndoOperationCache();
  return error;
}

Status SqliteMailboxStore::Begin() {
  if (in_transaction_) return MakeError(ErrorCode::kInternal, "transaction already open");
  {
    StatementUse s(stmts_->begin);
    ATTUNE_RETURN_IF_ERROR(s->Run());
  }
  in_transaction_ = true;
  transaction_error_.reset();
  deleted_in_transaction_ = false;
  // After a rollback the cache was dropped: bring the counters the lazy
  // flush had not written yet back from the rows (see Rollback()).
  while (!recount_pending_.empty()) {
    const auto& [id, min_next] = recount_pending_.back();
    Status st = Recount(id);
    if (st.ok()) {
      // Ids handed out in the rolled-back transaction are skipped: one may
      // have been delivered while its commit was in flight.
      StatementUse s(stmts_->raise_next);
      s->Bind(1, id);
      s->Bind(2, min_next);
      st = s->Run();
    }
    if (!st.ok()) {
      Rollback();
      return st;
    }
    recount_pending_.pop_back();
  }
  return Status::Ok();
}

Status SqliteMailboxStore::Commit() {
  if (!in_transaction_) return MakeError(ErrorCode::kInternal, "no transaction open");
  if (in_operation_) EndOperation().ok();
  if (!transaction_error_ && sqlite3_get_autocommit(db_) != 0) {
    transaction_error_ = MakeError(ErrorCode::kIoError, "the database rolled the transaction back");
  }
  // Counters are written when correctness needs it (FlushDirty), all of them
  // every kFlushCountersAfterBatches commits, and before the cache is emptied.
  const bool flush_all = batches_since_counter_flush_ + 1 >= kFlushCountersAfterBatches ||
                         cache_.size() > kMaxCachedMailboxes;
  if (!transaction_error_) {
    if (Status flushed = FlushDirty(flush_all); !flushed.ok()) transaction_error_ = flushed.error();
  }
  if (transaction_error_) {
    Error e = *transaction_error_;
    Rollback();
    return e;
  }
  Status st;
  {
    StatementUse s(stmts_->commit);
    st = s->Run();
  }
  if (!st.ok()) {
    Rollback();
    return st;
  }
  in_transaction_ = false;
  newest_deleted_.clear();
  batches_since_counter_flush_ = flush_all ? 0 : batches_since_counter_flush_ + 1;
  // Counts from the first deletion not yet checkpointed, so continuous acks
  // still get a checkpoint every kCheckpointAfterDeletingBatches batches.
  if (checkpoint_due_) {
    batches_since_delete_++;
  } else if (deleted_in_transaction_) {
    checkpoint_due_ = true;
    batches_since_delete_ = 0;
  }
  if (cache_.size() > kMaxCachedMailboxes && dirty_.empty()) cache_.clear();
  return Status::Ok();
}

void SqliteMailboxStore::AfterCommit(bool idle) {
  if (idle && !in_transaction_ && !dirty_.empty()) {
    // Idle: write the counters the lazy flush deferred.
    if (Begin().ok()) {
      if (FlushDirty(true).ok()) {
        Commit().ok();
      } else {
        Rollback();
      }
    }
  }
  if (checkpoint_cycle_ && checkpointer_ != nullptr && !in_transaction_) {
    ContinueCheckpointCycle();
  }
  if (!checkpoint_due_ || in_transaction_) return;
  if (!idle && batches_since_delete_ < kCheckpointAfterDeletingBatches) return;
  // On failure (a reader in the way) it stays due and is tried again.
  if (CheckpointTruncate().ok()) checkpoint_due_ = false;
}

Status SqliteMailboxStore::CheckpointTruncate() {
  if (in_transaction_) return MakeError(ErrorCode::kInternal, "checkpoint inside a transaction");
  int log_frames = 0;
  int checkpointed = 0;
  // TRUNCATE waits (busy timeout) for readers, which only hold short reads.
  if (WriterCheckpoint(SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed) != SQLITE_OK) {
    return SqliteError(db_, "checkpoint");
  }
  checkpoint_cycle_ = false;  // the WAL is empty
  return Status::Ok();
}

Status SqliteMailboxStore::SetMaxPageCount(uint64_t pages) {
  // SQLite treats 0 as "report only"; its maximum is 4294967294.
  const uint64_t cap = pages == 0 ? 4294967294ULL : pages;
  return Exec(("PRAGMA max_page_count = " + std::to_string(cap)).c_str());
}

Status SqliteMailboxStore::Recount(const MailboxId& id) {
  ATTUNE_RETURN_IF_ERROR(Savepoint());
  Remember(id);
  // The recount keeps next_message_id at least what the cache says, so an id
  // already handed out is never handed out again.
  if (auto it = cache_.find(id); it != cache_.end() && dirty_.count(id) != 0) {
    ATTUNE_RETURN_IF_ERROR(WriteCounters(id, it->second));
  }
  cache_.erase(id);
  dirty_.erase(id);
  newest_deleted_.erase(id);
  StatementUse s(stmts_->recount_mailbox);
  s->Bind(1, id);
  return s->Run();
}

void SqliteMailboxStore::Rollback() {
  if (!in_transaction_) return;
  in_operation_ = false;
  savepoint_open_ = false;
  wrote_alone_ = false;
  operation_error_.reset();
  undo_.clear();
  // Fails harmlessly when SQLite already rolled back on its own (e.g. I/O error).
  {
    StatementUse s(stmts_->rollback);
    s->Run().ok();
  }
  in_transaction_ = false;
  transaction_error_.reset();
  // Cached rows may hold changes that were just undone; rollbacks are rare,
  // so start over from the database. Counters of earlier commits that the
  // lazy flush had not written yet are recomputed from the rows when the
  // next transaction begins (the committed rows and next_message_id are
  // consistent, see kRepairCounters).
  for (const MailboxId& id : dirty_) {
    auto it = cache_.find(id);
    recount_pending_.emplace_back(id, it != cache_.end() ? it->second.next_message_id : 0);
  }
  cache_.clear();
  dirty_.clear();
  newest_deleted_.clear();
}

Status SqliteMailboxStore::WriteCounters(const MailboxId& id, const MailboxRecord& r) {
  StatementUse s(stmts_->write_counters);
  s->Bind(1, id);
  s->Bind(2, r.next_message_id);
  s->Bind(3, r.message_count);
  s->Bind(4, r.byte_count);
  return s->Run();
}

Status SqliteMailboxStore::FlushDirty(bool all) {
  if (dirty_.empty()) return Status::Ok();
  if (!all && newest_deleted_.empty()) return Status::Ok();
  if (Status st = Savepoint(); !st.ok()) return st;
  if (in_operation_) {
    for (const MailboxId& id : dirty_) Remember(id);
  }
  for (auto id_it = dirty_.begin(); id_it != dirty_.end();) {
    const MailboxId& id = *id_it;
    // Lazily: only a mailbox whose newest message was deleted must have its
    // next_message_id on disk now (kRepairCounters derives it from the
    // newest row otherwise); the rest waits for the next full flush.
    if (!all && newest_deleted_.count(id) == 0) {
      ++id_it;
      continue;
    }
    auto it = cache_.find(id);
    if (it != cache_.end()) {
      if (Status st = WriteCounters(id, it->second); !st.ok()) return st;
    }
    id_it = dirty_.erase(id_it);
  }
  return Status::Ok();
}

#define ATTUNE_STORE_TRY(expr)         \
  do {                                 \
    auto attune_st_ = (expr);          \
    if (!attune_st_.ok()) {            \
      return Fail(attune_st_.error()); \
    }                                  \
  } while (0)

Result<std::optional<MailboxRecord>> SqliteMailboxStore::GetMailbox(const MailboxId& id) {
  ATTUNE_STORE_TRY(CheckTransaction());
  if (options_.cache_mailboxes) {
    auto it = cache_.find(id);
    if (it != cache_.end()) return std::optional<MailboxRecord>(it->second);
  }
  StatementUse s(stmts_->get_mailbox);
  s->Bind(1, id);
  auto row = s->Step();
  if (!row.ok()) return Fail(row.error());
  if (!*row) return std::optional<MailboxRecord>();
  MailboxRecord r;
  r.id = id;
  if (!s->BlobInto(0, r.owner_key) || !s->BlobInto(1, r.cap_hash)) {
    return Fail(MakeError(ErrorCode::kIoError, "corrupt mailbox row"));
  }
  r.next_message_id = static_cast<uint64_t>(s->Int(2));
  r.message_count = static_cast<uint64_t>(s->Int(3));
  r.byte_count = static_cast<uint64_t>(s->Int(4));
  if (options_.cache_mailboxes) {
    Remember(id);
    cache_[id] = r;
  }
  return std::optional<MailboxRecord>(r);
}

Status SqliteMailboxStore::InsertMailbox(const MailboxRecord& r) {
  ATTUNE_STORE_TRY(CheckTransaction());
  ATTUNE_STORE_TRY(Savepoint());
  StatementUse s(stmts_->insert_mailbox);
  s->Bind(1, r.id);
  s->Bind(2, r.owner_key);
  s->Bind(3, r.cap_hash);
  s->Bind(4, r.next_message_id);
  s->Bind(5, r.message_count);
  s->Bind(6, r.byte_count);
  Status st = s->Run();
  if (!st.ok()) {
    if (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY) {
      // Not a storage failure: the transaction stays usable.
      return MakeError(ErrorCode::kAlreadyExists, "mailbox exists");
    }
    return Fail(st.error());
  }
  if (options_.cache_mailboxes) {
    Remember(r.id);
    cache_[r.id] = r;
  }
  return Status::Ok();
}

Status SqliteMailboxStore::UpdateMailboxKeys(const MailboxId& id, const OwnerKey& owner_key,
                                             const Hash32& cap_hash) {
  ATTUNE_STORE_TRY(CheckTransaction());
  StatementUse s(stmts_->update_keys);
  s->Bind(1, id);
  s->Bind(2, owner_key);
  s->Bind(3, cap_hash);
  ATTUNE_STORE_TRY(s->Run());
  WroteAlone();
  if (auto it = cache_.find(id); it != cache_.end()) {
    Remember(id);
    it->second.owner_key = owner_key;
    it->second.cap_hash = cap_hash;
  }
  return Status::Ok();
}

Result<bool> SqliteMailboxStore::DeleteMailbox(const MailboxId& id) {
  ATTUNE_STORE_TRY(CheckTransaction());
  Remember(id);
  cache_.erase(id);
  dirty_.erase(id);
  {
    ATTUNE_STORE_TRY(Savepoint());
    StatementUse s(stmts_->delete_mailbox_messages);
    s->Bind(1, id);
    ATTUNE_STORE_TRY(s->Run());
  }
  NoteBlobsDeleted();
  StatementUse s(stmts_->delete_mailbox);
  s->Bind(1, id);
  ATTUNE_STORE_TRY(s->Run());
  return sqlite3_changes(db_) > 0;
}

Status SqliteMailboxStore::AppendMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                                         uint64_t expires_at) {
  ATTUNE_STORE_TRY(CheckTransaction());
  if (options_.cache_mailboxes) {
    auto mailbox = GetMailbox(id);  // loads the row into the cache
    if (!mailbox.ok()) return mailbox.error();
    if (!*mailbox || (*mailbox)->next_message_id != message_id) {
      return Fail(MakeError(ErrorCode::kInternal, "message id is not the mailbox's next id"));
    }
    {
      StatementUse s(stmts_->insert_message);
      s->Bind(1, id);
      s->Bind(2, message_id);
      s->Bind(3, expires_at);
      s->BindText(4, *blob);
      if (Status st = s->Run(); !st.ok()) return InsertFailed(id, st.error());
      WroteAlone();
    }
    Remember(id);
    MailboxRecord& r = cache_[id];
    r.next_message_id = message_id + 1;
    r.message_count += 1;
    r.byte_count += blob->size();
    dirty_.insert(id);
    newest_deleted_.erase(id);  // the newest row exists again
    // Bounded: when full, start over (deletions of the forgotten ones read
    // their size, as without the map).
    if (sizes_.size() >= kMaxKnownSizes) sizes_.clear();
    sizes_[SizeKey{id, message_id}] = static_cast<uint32_t>(blob->size());
    ATTUNE_STORE_TRY(FlushIfAutocommit());
    return Status::Ok();
  }
  {
    ATTUNE_STORE_TRY(Savepoint());
    StatementUse s(stmts_->advance_mailbox);
    s->Bind(1, id);
    s->Bind(2, message_id);
    s->Bind(3, static_cast<uint64_t>(blob->size()));
    ATTUNE_STORE_TRY(s->Run());
    if (sqlite3_changes(db_) != 1) {
      return Fail(MakeError(ErrorCode::kInternal, "message id is not the mailbox's next id"));
    }
  }
  StatementUse s(stmts_->insert_message);
  s->Bind(1, id);
  s->Bind(2, message_id);
  s->Bind(3, expires_at);
  s->BindText(4, *blob);
  if (Status st = s->Run(); !st.ok()) return InsertFailed(id, st.error());
  return Status::Ok();
}

Error SqliteMailboxStore::InsertFailed(const MailboxId& id, Error error) {
  if (sqlite3_extended_errcode(db_) != SQLITE_CONSTRAINT_PRIMARYKEY) return Fail(std::move(error));
  // The row's next_message_id is behind its messages (see kRepairCounters).
  // Repair it from the rows and let the caller retry with the new id; the
  // failed INSERT changed nothing, so the transaction stays usable. Without
  // the cache the advance above is undone by the caller's operation scope.
  if (Status repaired = Recount(id); !repaired.ok()) return Fail(repaired.error());
  return MakeError(ErrorCode::kAlreadyExists, "message id taken; counters repaired");
}

Result<std::vector<StoredMessage>> SqliteMailboxStore::FetchMessages(const MailboxId& id,
                                                                     uint64_t after_id,
                                                                     uint64_t now, size_t max_count,
                                                                     size_t max_bytes) {
  ATTUNE_STORE_TRY(CheckTransaction());
  std::vector<StoredMessage> out;
  if (max_count == 0) return out;
  StatementUse s(stmts_->fetch);
  s->Bind(1, id);
  s->Bind(2, after_id);
  s->Bind(3, now);
  s->Bind(4, static_cast<uint64_t>(max_count));
  size_t bytes = 0;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return Fail(row.error());
    if (!*row) break;
    ByteView b = s->Blob(1);
    if (!out.empty() && bytes + b.size() > max_bytes) break;
    bytes += b.size();
    out.push_back(StoredMessage{static_cast<uint64_t>(s->Int(0)),
                                std::make_shared<const std::string>(AsStringView(b))});
  }
  return out;
}

Result<bool> SqliteMailboxStore::DeleteMessage(const MailboxId& id, uint64_t message_id) {
  ATTUNE_STORE_TRY(CheckTransaction());
  int64_t size = 0;
  // The size of a message this store appended is known: no read before the
  // DELETE (SQLCipher's SQLite 3.15 has no RETURNING).
  const SizeKey key{id, message_id};
  auto known = sizes_.find(key);
  if (known != sizes_.end()) {
    size = known->second;
    sizes_.erase(known);
  } else {
    StatementUse s(stmts_->message_size);
    s->Bind(1, id);
    s->Bind(2, message_id);
    auto row = s->Step();
    if (!row.ok()) return Fail(row.error());
    if (!*row) return false;
    size = s->Int(0);
  }
  {
    StatementUse s(stmts_->delete_message);
    s->Bind(1, id);
    s->Bind(2, message_id);
    ATTUNE_STORE_TRY(s->Run());
    // A known size may belong to a row that an undone operation never kept.
    if (sqlite3_changes(db_) == 0) return false;
    WroteAlone();
  }
  NoteBlobsDeleted();
  if (options_.cache_mailboxes) {
    auto mailbox = GetMailbox(id);
    if (!mailbox.ok()) return mailbox.error();
    if (!*mailbox) return true;
    if ((*mailbox)->message_count == 0 || (*mailbox)->byte_count < static_cast<uint64_t>(size)) {
      // The counters disagree with the rows: recompute them.
      ATTUNE_STORE_TRY(Recount(id));
      return true;
    }
    Remember(id);
    MailboxRecord& r = cache_[id];
    r.message_count -= 1;
    r.byte_count -= static_cast<uint64_t>(size);
    dirty_.insert(id);
    // Without its newest row the rows no longer tell next_message_id: it
    // must reach the disk with this transaction.
    if (message_id + 1 == r.next_message_id) newest_deleted_.insert(id);
    ATTUNE_STORE_TRY(FlushIfAutocommit());
    return true;
  }
  StatementUse s(stmts_->shrink_mailbox);
  s->Bind(1, id);
  s->Bind(2, size);
  ATTUNE_STORE_TRY(s->Run());
  return true;
}

Result<uint64_t> SqliteMailboxStore::PurgeExpired(uint64_t now, size_t max_rows) {
  ATTUNE_STORE_TRY(CheckTransaction());
  ATTUNE_STORE_TRY(Savepoint());
  // The recount below reads the mailboxes table: bring it up to date first.
  ATTUNE_STORE_TRY(FlushDirty(true));
  std::vector<MailboxId> affected;
  {
    StatementUse s(stmts_->expired_mailboxes);
    s->Bind(1, now);
    s->Bind(2, static_cast<uint64_t>(max_rows));
    for (;;) {
      auto row = s->Step();
      if (!row.ok()) return Fail(row.error());
      if (!*row) break;
      MailboxId id{};
      if (s->BlobInto(0, id)) affected.push_back(id);
    }
  }
  uint64_t deleted = 0;
  {
    StatementUse s(stmts_->purge_messages);
    s->Bind(1, now);
    s->Bind(2, static_cast<uint64_t>(max_rows));
    ATTUNE_STORE_TRY(s->Run());
    deleted = static_cast<uint64_t>(sqlite3_changes(db_));
  }
  if (deleted > 0) NoteBlobsDeleted();
  for (const MailboxId& id : affected) ATTUNE_STORE_TRY(Recount(id));
  StatementUse s(stmts_->purge_tickets);
  s->Bind(1, now);
  ATTUNE_STORE_TRY(s->Run());
  return deleted;
}

Result<int64_t> SqliteMailboxStore::InsertCredential(const Hash32& hash, uint64_t uses,
                                                     uint64_t expires_at) {
  ATTUNE_STORE_TRY(CheckTransaction());
  ATTUNE_STORE_TRY(Savepoint());
  StatementUse s(stmts_->insert_credential);
  s->Bind(1, hash);
  s->Bind(2, uses);
  s->Bind(3, expires_at);
  ATTUNE_STORE_TRY(s->Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::optional<CredentialRecord>> SqliteMailboxStore::FindCredential(const Hash32& hash) {
  ATTUNE_STORE_TRY(CheckTransaction());
  StatementUse s(stmts_->find_credential);
  s->Bind(1, hash);
  auto row = s->Step();
  if (!row.ok()) return Fail(row.error());
  if (!*row) return std::optional<CredentialRecord>();
  return std::optional<CredentialRecord>(
      CredentialRecord{s->Int(0), static_cast<uint64_t>(s->Int(1)),
                       static_cast<uint64_t>(s->Int(2)), s->Int(3) != 0});
}

Status SqliteMailboxStore::SetCredentialUses(int64_t id, uint64_t uses_left) {
  ATTUNE_STORE_TRY(CheckTransaction());
  ATTUNE_STORE_TRY(Savepoint());
  StatementUse s(stmts_->set_uses);
  s->Bind(1, id);
  s->Bind(2, uses_left);
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

Result<std::vector<CredentialRecord>> SqliteMailboxStore::ListCredentials() {
  ATTUNE_STORE_TRY(CheckTransaction());
  std::vector<CredentialRecord> out;
  StatementUse s(stmts_->list_credentials);
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return Fail(row.error());
    if (!*row) break;
    out.push_back(CredentialRecord{s->Int(0), static_cast<uint64_t>(s->Int(1)),
                                   static_cast<uint64_t>(s->Int(2)), s->Int(3) != 0});
  }
  return out;
}

Result<bool> SqliteMailboxStore::RevokeCredential(int64_t id) {
  ATTUNE_STORE_TRY(CheckTransaction());
  bool found = false;
  {
    ATTUNE_STORE_TRY(Savepoint());
    StatementUse s(stmts_->revoke);
    s->Bind(1, id);
    ATTUNE_STORE_TRY(s->Run());
    found = sqlite3_changes(db_) > 0;
  }
  StatementUse s(stmts_->revoke_tickets);
  s->Bind(1, id);
  ATTUNE_STORE_TRY(s->Run());
  return found;
}

Status SqliteMailboxStore::InsertTicket(const TicketRecord& t) {
  ATTUNE_STORE_TRY(CheckTransaction());
  ATTUNE_STORE_TRY(Savepoint());
  StatementUse s(stmts_->insert_ticket);
  s->Bind(1, t.hash);
  s->Bind(2, t.credential_id);
  s->Bind(3, t.expires_at);
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

Result<std::optional<TicketRecord>> SqliteMailboxStore::FindTicket(const Hash32& hash) {
  ATTUNE_STORE_TRY(CheckTransaction());
  StatementUse s(stmts_->find_ticket);
  s->Bind(1, hash);
  auto row = s->Step();
  if (!row.ok()) return Fail(row.error());
  if (!*row) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(
      TicketRecord{hash, s->Int(0), static_cast<uint64_t>(s->Int(1))});
}

Status SqliteMailboxStore::DeleteTicket(const Hash32& hash) {
  ATTUNE_STORE_TRY(CheckTransaction());
  ATTUNE_STORE_TRY(Savepoint());
  StatementUse s(stmts_->delete_ticket);
  s->Bind(1, hash);
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

}  // namespace attune::relay
