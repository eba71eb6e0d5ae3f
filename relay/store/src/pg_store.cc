#include "attune/relay/store/pg_store.h"

#include <algorithm>
#include <string>
#include <vector>

#include "pg_connection.h"
#include "pg_sql.h"

namespace attune::relay {

using pg::PgParams;
using pg::PgResult;

namespace {

ByteView BlobView(const Blob& blob) {
  return ByteView(reinterpret_cast<const uint8_t*>(blob->data()), blob->size());
}

CredentialRecord CredentialRow(const PgResult& r, int row) {
  return CredentialRecord{r.Int8(row, 0), static_cast<uint64_t>(r.Int8(row, 1)),
                          static_cast<uint64_t>(r.Int8(row, 2)), r.Bool(row, 3)};
}

Error Corrupt(const char* what) {
  return MakeError(ErrorCode::kIoError, std::string("postgres: corrupt ") + what + " row");
}

}  // namespace

int PostgresSchemaVersion() { return pg::LatestVersion(); }

Result<std::unique_ptr<PgMailboxStore>> PgMailboxStore::Open(const std::string& conninfo,
                                                             const MailboxTagger& tagger) {
  auto conn = std::make_unique<pg::PgConnection>(conninfo, pg::Statements(), pg::LatestVersion());
  ATTUNE_RETURN_IF_ERROR(conn->Ensure());
  std::unique_ptr<PgMailboxStore> store(new PgMailboxStore(std::move(conn), tagger));
  store->backend_pid_ = store->conn_->backend_pid();
  return store;
}

PgMailboxStore::PgMailboxStore(std::unique_ptr<pg::PgConnection> conn, const MailboxTagger& tagger)
    : conn_(std::move(conn)), tagger_(tagger) {}

PgMailboxStore::~PgMailboxStore() {
  if (in_transaction_) Rollback();
}

Error PgMailboxStore::Fail(Error error, bool statement_failed) {
  if (!in_transaction_) return error;
  const bool alone = !conn_->broken() &&
                     (use_savepoints_ ? savepoint_open_ : !statement_failed && !operation_wrote_);
  // Contention (a lock timeout, a deadlock) tends to repeat: the next
  // transactions isolate each operation so one failure costs only itself.
  if (statement_failed && !conn_->broken()) savepoint_transactions_ = kSavepointTransactions;
  if (alone) {
    if (!operation_error_) operation_error_ = error;
  } else if (!transaction_error_) {
    transaction_error_ = error;
  }
  return error;
}

void PgMailboxStore::ClearTransactionState() {
  locked_.clear();
  appends_.clear();
  acks_.clear();
  buffered_ids_.clear();
  appended_ids_.clear();
  keep_buffered_ = false;
}

Status PgMailboxStore::BufferedWriteAllowed() {
  if (transaction_error_) return *transaction_error_;
  if (!conn_->in_pipeline()) {
    return Fail(MakeError(ErrorCode::kIoError, "postgres: connection lost"));
  }
  operation_wrote_ = true;
  return Status::Ok();
}

Status PgMailboxStore::FlushBuffered() {
  buffered_ids_.clear();
  appended_ids_.clear();
  if (!appends_.empty()) {
    const size_t n = appends_.size();
    pg::PgArray ids(pg::PgArray::kBytea, n);
    pg::PgArray message_ids(pg::PgArray::kInt8, n);
    pg::PgArray expiries(pg::PgArray::kInt8, n);
    pg::PgArray blobs(pg::PgArray::kBytea, n);
    std::vector<MailboxId> mailboxes;
    for (const BufferedAppend& a : appends_) {
      ids.Add(a.id);
      message_ids.Add(static_cast<int64_t>(a.message_id));
      expiries.Add(static_cast<int64_t>(a.expires_at));
      blobs.Add(BlobView(a.blob));
      mailboxes.push_back(a.id);
    }
    std::sort(mailboxes.begin(), mailboxes.end());
    mailboxes.erase(std::unique(mailboxes.begin(), mailboxes.end()), mailboxes.end());
    std::vector<std::string> hex;
    hex.reserve(mailboxes.size());
    for (const MailboxId& id : mailboxes) hex.push_back(ToHex(tagger_.Tag(id)));
    pg::PgArray tags(pg::PgArray::kText, hex.size());
    for (const std::string& t : hex) tags.Add(AsBytes(t));
    pg::PgArray distinct(pg::PgArray::kBytea, mailboxes.size());
    for (const MailboxId& id : mailboxes) distinct.Add(id);
    appends_.clear();
    PgParams p;
    p.Bytes(ids.bytes())
        .Bytes(message_ids.bytes())
        .Bytes(expiries.bytes())
        .Bytes(blobs.bytes())
        .Bytes(tags.bytes())
        .Bytes(distinct.bytes());
    if (Status sent = conn_->Defer(pg::kAppendMessages, p, false); !sent.ok()) {
      return Fail(sent.error(), /*statement_failed=*/true);
    }
  }
  if (!acks_.empty()) {
    pg::PgArray ids(pg::PgArray::kBytea, acks_.size());
    pg::PgArray message_ids(pg::PgArray::kInt8, acks_.size());
    for (const auto& [id, message_id] : acks_) {
      ids.Add(id);
      message_ids.Add(static_cast<int64_t>(message_id));
    }
    acks_.clear();
    PgParams p;
    p.Bytes(ids.bytes()).Bytes(message_ids.bytes());
    if (Status sent = conn_->Defer(pg::kDeleteMessages, p, false); !sent.ok()) {
      return Fail(sent.error(), /*statement_failed=*/true);
    }
  }
  return Status::Ok();
}

Status PgMailboxStore::Prepare() {
  if (!in_transaction_) {
    Status st = conn_->Ensure();
    backend_pid_ = conn_->backend_pid();
    return st;
  }
  if (transaction_error_) return *transaction_error_;
  if (pipelined_ && !keep_buffered_ && !buffered_ids_.empty()) {
    ATTUNE_RETURN_IF_ERROR(FlushBuffered());
  }
  keep_buffered_ = false;
  if (use_savepoints_ && !savepoint_open_) {
    // The previous operation's RELEASE rides along: one round trip.
    const char* sql = release_pending_ ? "RELEASE SAVEPOINT op; SAVEPOINT op" : "SAVEPOINT op";
    release_pending_ = false;
    if (Status st = conn_->Exec(sql); !st.ok()) {
      transaction_error_ = st.error();
      return st;
    }
    savepoint_open_ = true;
  }
  return Status::Ok();
}

Status PgMailboxStore::Begin() {
  if (in_transaction_) return MakeError(ErrorCode::kInternal, "transaction already open");
  Status st = conn_->Ensure();
  backend_pid_ = conn_->backend_pid();
  if (!st.ok()) return st;
  const bool savepoints = savepoint_transactions_ > 0;
  if (savepoints) {
    ATTUNE_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
    savepoint_transactions_--;
  } else {
    // BEGIN travels with the transaction's first statement.
    ATTUNE_RETURN_IF_ERROR(conn_->BeginPipeline());
    ATTUNE_RETURN_IF_ERROR(conn_->Defer("BEGIN"));
  }
  in_transaction_ = true;
  use_savepoints_ = savepoints;
  pipelined_ = !savepoints;
  ClearTransactionState();
  operation_wrote_ = false;
  savepoint_open_ = false;
  release_pending_ = false;
  operation_error_.reset();
  transaction_error_.reset();
  return Status::Ok();
}

Status PgMailboxStore::EndOperation() {
  if (!in_transaction_) return Status::Ok();
  if (transaction_error_) return *transaction_error_;
  operation_wrote_ = false;
  if (!savepoint_open_) {
    // No savepoint (none needed, or no statement ran): a failure recorded
    // as the operation's alone changed nothing (Fail()). the database; a failure before it changed
    // nothing.
    Status failed = operation_error_ ? Status(*operation_error_) : Status::Ok();
    operation_error_.reset();
    return failed;
  }
  savepoint_open_ = false;
  if (!operation_error_) {
    // Sent with the next operation's SAVEPOINT (COMMIT releases the last).
    release_pending_ = true;
    return Status::Ok();
  }
  // Undo this operation only; the others of the batch stay.
  Status failed(*operation_error_);
  operation_error_.reset();
  Status st =
      conn_->broken() ? failed : conn_->Exec("ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op");
  if (!st.ok()) transaction_error_ = st.error();
  return failed;
}

Status PgMailboxStore::Commit() {
  if (!in_transaction_) return MakeError(ErrorCode::kInternal, "no transaction open");
  // A failed call not absorbed by EndOperation() fails the transaction.
  if (!transaction_error_ && operation_error_) transaction_error_ = operation_error_;
  if (!transaction_error_ && pipelined_) FlushBuffered().ok();  // records its failure
  if (transaction_error_) {
    Error e = *transaction_error_;
    Rollback();
    return e;
  }
  auto r = pipelined_ ? conn_->EndPipeline("COMMIT") : conn_->Query("COMMIT");
  in_transaction_ = false;
  pipelined_ = false;
  ClearTransactionState();
  savepoint_open_ = false;
  if (!r.ok()) {
    // A buffered statement failed (the connection is alive): the next
    // transactions isolate each operation, as after any failed statement.
    if (!conn_->broken()) savepoint_transactions_ = kSavepointTransactions;
    // Whether the commit happened is unknown when the connection died
    // during it; the requests are answered UNAVAILABLE (retried sends are
    // at-least-once, as with any lost reply).
    return r.error();
  }
  // An aborted transaction "commits" as ROLLBACK.
  if (r->command() != "COMMIT") {
    return MakeError(ErrorCode::kIoError, "postgres: transaction was rolled back");
  }
  return Status::Ok();
}

void PgMailboxStore::Rollback() {
  if (!in_transaction_) return;
  if (pipelined_) {
    if (conn_->in_pipeline()) conn_->EndPipeline("ROLLBACK").ok();
  } else if (!conn_->broken()) {
    conn_->Exec("ROLLBACK").ok();
  }
  in_transaction_ = false;
  pipelined_ = false;
  ClearTransactionState();
  savepoint_open_ = false;
  operation_error_.reset();
  transaction_error_.reset();
}

Result<PgResult> PgMailboxStore::Run(size_t stmt, const PgParams& params) {
  if (Status prep = Prepare(); !prep.ok()) return Fail(prep.error());
  auto r = pipelined_ ? conn_->Pipelined(stmt, params) : conn_->Run(stmt, params, !in_transaction_);
  backend_pid_ = conn_->backend_pid();
  if (!r.ok()) return Fail(r.error(), /*statement_failed=*/true);
  if (pg::Writes(stmt) && r->affected() > 0) operation_wrote_ = true;
  return r;
}

Result<std::optional<MailboxRecord>> PgMailboxStore::GetMailbox(const MailboxId& id) {
  if (pipelined_) {
    if (auto locked = locked_.find(id); locked != locked_.end()) {
      if (transaction_error_) return *transaction_error_;
      return std::optional<MailboxRecord>(locked->second);
    }
  }
  PgParams p;
  p.Bytes(id);
  size_t stmt = in_transaction_ ? pg::kGetMailboxForUpdate : pg::kGetMailbox;
  // Locking another mailbox neither reads nor conflicts with the buffered
  // writes: they wait for COMMIT (or a statement that may). Buffered acks
  // of this one are subtracted by the lock statement itself; buffered
  // appends to it (not in the database yet) are sent first.
  std::optional<pg::PgArray> acked;
  keep_buffered_ = pipelined_ && appended_ids_.count(id) == 0;
  if (keep_buffered_ && buffered_ids_.count(id) > 0) {
    size_t n = 0;
    for (const auto& ack : acks_) n += ack.first == id ? 1 : 0;
    acked.emplace(pg::PgArray::kInt8, n);
    for (const auto& [mailbox, message_id] : acks_) {
      if (mailbox == id) acked->Add(static_cast<int64_t>(message_id));
    }
    p.Bytes(acked->bytes());
    stmt = pg::kLockMailboxMinusAcks;
  }
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(stmt, p));
  if (r.rows() == 0) return std::optional<MailboxRecord>();
  MailboxRecord rec;
  rec.id = id;
  if (!r.Into(0, 0, rec.owner_key) || !r.Into(0, 1, rec.cap_hash)) {
    return Fail(Corrupt("mailbox"));
  }
  rec.next_message_id = static_cast<uint64_t>(r.Int8(0, 2));
  // Clamped: a freed count can run ahead of a stale stored one only in a
  // non-locking read (the reader's).
  rec.message_count = static_cast<uint64_t>(std::max<int64_t>(0, r.Int8(0, 3)));
  rec.byte_count = static_cast<uint64_t>(std::max<int64_t>(0, r.Int8(0, 4)));
  if (pipelined_) locked_[id] = rec;
  return std::optional<MailboxRecord>(rec);
}

Status PgMailboxStore::InsertMailbox(const MailboxRecord& record) {
  PgParams p;
  p.Bytes(record.id).Bytes(record.owner_key).Bytes(record.cap_hash).Uint8(record.next_message_id);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kInsertMailbox, p));
  // ON CONFLICT DO NOTHING: a taken id is an answer, not a failed statement,
  // so the transaction stays usable.
  if (r.affected() == 0) return MakeError(ErrorCode::kAlreadyExists, "mailbox exists");
  return Status::Ok();
}

Status PgMailboxStore::UpdateMailboxKeys(const MailboxId& id, const OwnerKey& owner_key,
                                         const Hash32& cap_hash) {
  const std::string eviction = pg::kEvictionPrefix + ToHex(tagger_.Tag(id));
  PgParams p;
  p.Bytes(id).Bytes(owner_key).Bytes(cap_hash).Text(eviction);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kUpdateKeys, p));
  if (auto locked = locked_.find(id); locked != locked_.end()) {
    locked->second.owner_key = owner_key;
    locked->second.cap_hash = cap_hash;
  }
  return Status::Ok();
}

Result<bool> PgMailboxStore::DeleteMailbox(const MailboxId& id) {
  const std::string eviction = pg::kEvictionPrefix + ToHex(tagger_.Tag(id));
  PgParams p;
  p.Bytes(id);
  locked_.erase(id);
  PgParams with_tag;
  with_tag.Bytes(id).Text(eviction);
  ATTUNE_ASSIGN_OR_RETURN(PgResult mailbox, Run(pg::kDeleteMailbox, with_tag));
  ATTUNE_ASSIGN_OR_RETURN(PgResult messages, Run(pg::kDeleteMailboxMessages, p));
  return mailbox.affected() > 0;
}

Status PgMailboxStore::AppendMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                                     uint64_t expires_at) {
  if (auto locked = locked_.find(id); locked != locked_.end()) {
    MailboxRecord& m = locked->second;
    if (m.next_message_id != message_id) {
      return Fail(MakeError(ErrorCode::kInternal, "message id is not the mailbox's next id"));
    }
    ATTUNE_RETURN_IF_ERROR(BufferedWriteAllowed());
    appends_.push_back(BufferedAppend{id, message_id, expires_at, blob});
    buffered_ids_.insert(id);
    appended_ids_.insert(id);
    m.next_message_id++;
    m.message_count++;
    m.byte_count += blob->size();
    if (appends_.size() >= kMaxBuffered) return FlushBuffered();
    return Status::Ok();
  }
  const std::string tag = ToHex(tagger_.Tag(id));
  PgParams p;
  p.Bytes(id).Uint8(message_id).Uint8(expires_at).Bytes(BlobView(blob)).Text(tag);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kAppendMessage, p));
  if (r.rows() != 1) {
    return Fail(MakeError(ErrorCode::kInternal, "message id is not the mailbox's next id"));
  }
  return Status::Ok();
}

Result<std::vector<StoredMessage>> PgMailboxStore::FetchMessages(const MailboxId& id,
                                                                 uint64_t after_id, uint64_t now,
                                                                 size_t max_count,
                                                                 size_t max_bytes) {
  std::vector<StoredMessage> out;
  if (max_count == 0) return out;
  PgParams p;
  p.Bytes(id).Uint8(after_id).Uint8(now).Uint8(max_count);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kFetchMessages, p));
  size_t bytes = 0;
  for (int row = 0; row < r.rows(); ++row) {
    ByteView b = r.Bytes(row, 1);
    if (!out.empty() && bytes + b.size() > max_bytes) break;
    bytes += b.size();
    out.push_back(StoredMessage{static_cast<uint64_t>(r.Int8(row, 0)),
                                std::make_shared<const std::string>(AsStringView(b))});
  }
  return out;
}

Result<bool> PgMailboxStore::DeleteMessage(const MailboxId& id, uint64_t message_id) {
  PgParams p;
  p.Bytes(id).Uint8(message_id);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kDeleteMessage, p));
  if (r.rows() != 1) return Fail(Corrupt("deletion"));
  return r.Int8(0, 0) > 0;
}

Status PgMailboxStore::ForgetMessage(const MailboxId& id, uint64_t message_id) {
  if (!pipelined_) {
    auto deleted = DeleteMessage(id, message_id);
    return deleted.ok() ? Status::Ok() : Status(deleted.error());
  }
  ATTUNE_RETURN_IF_ERROR(BufferedWriteAllowed());
  acks_.emplace_back(id, message_id);
  buffered_ids_.insert(id);
  // Its usage drops by a size only the database knows: the next GetMailbox
  // of this mailbox reads it again (after the buffered writes).
  locked_.erase(id);
  if (acks_.size() >= kMaxBuffered) return FlushBuffered();
  return Status::Ok();
}

Result<uint64_t> PgMailboxStore::PurgeExpired(uint64_t now, size_t max_rows) {
  PgParams p;
  p.Uint8(now).Uint8(max_rows);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kPurgeMessages, p));
  PgParams t;
  t.Uint8(now);
  ATTUNE_ASSIGN_OR_RETURN(PgResult tickets, Run(pg::kPurgeTickets, t));
  if (r.rows() != 1) return Fail(Corrupt("purge"));
  return static_cast<uint64_t>(r.Int8(0, 0));
}

Result<int64_t> PgMailboxStore::InsertCredential(const Hash32& hash, uint64_t uses,
                                                 uint64_t expires_at) {
  PgParams p;
  p.Bytes(hash).Uint8(uses).Uint8(expires_at);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kInsertCredential, p));
  if (r.rows() != 1) return Fail(Corrupt("credential"));
  return r.Int8(0, 0);
}

Result<std::optional<CredentialRecord>> PgMailboxStore::FindCredential(const Hash32& hash) {
  PgParams p;
  p.Bytes(hash);
  ATTUNE_ASSIGN_OR_RETURN(
      PgResult r, Run(in_transaction_ ? pg::kFindCredentialForUpdate : pg::kFindCredential, p));
  if (r.rows() == 0) return std::optional<CredentialRecord>();
  return std::optional<CredentialRecord>(CredentialRow(r, 0));
}

Status PgMailboxStore::SetCredentialUses(int64_t id, uint64_t uses_left) {
  PgParams p;
  p.Int8(id).Uint8(uses_left);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kSetCredentialUses, p));
  return Status::Ok();
}

Result<std::vector<CredentialRecord>> PgMailboxStore::ListCredentials() {
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kListCredentials, PgParams()));
  std::vector<CredentialRecord> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) out.push_back(CredentialRow(r, row));
  return out;
}

Result<bool> PgMailboxStore::RevokeCredential(int64_t id) {
  PgParams p;
  p.Int8(id);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kRevokeCredential, p));
  ATTUNE_ASSIGN_OR_RETURN(PgResult tickets, Run(pg::kRevokeTickets, p));
  return r.affected() > 0;
}

Status PgMailboxStore::InsertTicket(const TicketRecord& ticket) {
  PgParams p;
  p.Bytes(ticket.hash).Int8(ticket.credential_id).Uint8(ticket.expires_at);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kInsertTicket, p));
  return Status::Ok();
}

Result<std::optional<TicketRecord>> PgMailboxStore::FindTicket(const Hash32& hash) {
  PgParams p;
  p.Bytes(hash);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r,
                          Run(in_transaction_ ? pg::kFindTicketForUpdate : pg::kFindTicket, p));
  if (r.rows() == 0) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(
      TicketRecord{hash, r.Int8(0, 0), static_cast<uint64_t>(r.Int8(0, 1))});
}

Status PgMailboxStore::DeleteTicket(const Hash32& hash) {
  PgParams p;
  p.Bytes(hash);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kDeleteTicket, p));
  return Status::Ok();
}

}  // namespace attune::relay
