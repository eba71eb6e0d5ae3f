// MailboxStore: the relay's persistence behind a small interface, so that a
// PostgreSQL backend for multi-node deployments can replace the embedded
// SQLite one (sqlite_store.h) without touching the mailbox logic.
//
// Transactions: mutating calls are made between Begin() and Commit(). When
// Commit() returns OK every change of the transaction is durable (fsync'd).
// If any call inside a transaction fails, Commit() rolls the whole
// transaction back and returns that first error. Reads see the transaction's
// own uncommitted writes.
//
// Errors: kIoError for storage failures, kInvalidArgument for bad arguments.
// "Not found" is not an error: lookups return nullopt / false.
//
// Thread safety: none. A store is used by one thread at a time (the group
// committer's storage thread while the relay runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/relay/store/types.h"

namespace attune::relay {

class MailboxStore {
 public:
  virtual ~MailboxStore() = default;

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // --- operations inside a transaction (the group committer's requests) ---
  // BeginOperation() opens a nested scope (an SQL SAVEPOINT) inside the
  // transaction; EndOperation() closes it and returns the scope's first
  // storage error. On an error the scope's writes are undone alone and the
  // transaction stays usable for the batch's other requests; Commit() then
  // does not fail because of it. Outside a transaction both are no-ops.
  // The defaults keep the all-or-nothing contract above (any failure fails
  // the whole transaction at Commit()), which is safe but coarser.
  virtual Status BeginOperation() { return Status::Ok(); }
  virtual Status EndOperation() { return Status::Ok(); }
  // False once the database ended the transaction Begin() opened on its own
  // (SQLite does on some SQLITE_FULL, IOERR, NOMEM and BUSY errors): every
  // write made in it is gone, and the store refuses further calls until
  // Rollback() and a new Begin(), so nothing ever runs in autocommit mode by
  // accident.
  virtual bool TransactionOpen() { return true; }
  // Housekeeping, called by the group committer after every batch
  // (idle=false) and once it has been idle for a while (idle=true; see
  // GroupCommitter::kIdleMaintenanceDelay). Never inside a transaction.
  virtual void AfterCommit(bool /*idle*/) {}
  // True when message ids assigned in a transaction whose COMMIT failed (or
  // that was rolled back as a whole) are never assigned again: the relay may
  // then deliver a message while its commit is in flight
  // (GroupCommitter::Announce), since an ack of that delivery can never
  // delete another message that got the same id.
  virtual bool SkipsIdsOfFailedCommits() const { return false; }

  // --- mailboxes -----------------------------------------------------------
  virtual Result<std::optional<MailboxRecord>> GetMailbox(const MailboxId& id) = 0;
  // kAlreadyExists when the id is taken.
  virtual Status InsertMailbox(const MailboxRecord& record) = 0;
  virtual Status UpdateMailboxKeys(const MailboxId& id, const OwnerKey& owner_key,
                                   const Hash32& cap_hash) = 0;
  // Deletes the mailbox and all its messages. False when there was none.
  virtual Result<bool> DeleteMailbox(const MailboxId& id) = 0;

  // --- messages ------------------------------------------------------------
  // Stores `blob` under `message_id`, which must be the mailbox's
  // next_message_id, and advances next_message_id and the counters.
  virtual Status AppendMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                               uint64_t expires_at) = 0;
  // Messages with id > after_id and expires_at > now, oldest first, at most
  // max_count and stopping once max_bytes of blobs are collected (always at
  // least one message when one exists).
  virtual Result<std::vector<StoredMessage>> FetchMessages(const MailboxId& id, uint64_t after_id,
                                                           uint64_t now, size_t max_count,
                                                           size_t max_bytes) = 0;
  // Deletes one message and updates the counters. False when it was not there.
  virtual Result<bool> DeleteMessage(const MailboxId& id, uint64_t message_id) = 0;
  // DeleteMessage for a caller that needs no answer (an ack). Inside a
  // transaction a store may send it without waiting: a failure may then
  // show only in a later call or in Commit(), which fails the transaction.
  virtual Status ForgetMessage(const MailboxId& id, uint64_t message_id) {
    auto deleted = DeleteMessage(id, message_id);
    return deleted.ok() ? Status::Ok() : Status(deleted.error());
  }
  // Deletes up to max_rows messages with expires_at <= now and every expired
  // ticket; fixes the affected mailboxes' counters. Returns messages deleted.
  virtual Result<uint64_t> PurgeExpired(uint64_t now, size_t max_rows) = 0;

  // --- credentials and tickets ---------------------------------------------
  // Returns the new credential's id (1, 2, ...).
  virtual Result<int64_t> InsertCredential(const Hash32& hash, uint64_t uses,
                                           uint64_t expires_at) = 0;
  virtual Result<std::optional<CredentialRecord>> FindCredential(const Hash32& hash) = 0;
  virtual Status SetCredentialUses(int64_t id, uint64_t uses_left) = 0;
  virtual Result<std::vector<CredentialRecord>> ListCredentials() = 0;
  // Marks it revoked and deletes its unused tickets. False when no such id.
  virtual Result<bool> RevokeCredential(int64_t id) = 0;

  virtual Status InsertTicket(const TicketRecord& ticket) = 0;
  virtual Result<std::optional<TicketRecord>> FindTicket(const Hash32& hash) = 0;
  virtual Status DeleteTicket(const Hash32& hash) = 0;
};

}  // namespace attune::relay
