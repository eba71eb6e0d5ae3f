#include "attune/relay/store/pg_store.h"

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

Error PgMailboxStore::Fail(Error error) {
  if (!in_transaction_) return error;
  if (savepoint_open_ && !conn_->broken()) {
    if (!operation_error_) operation_error_ = error;
  } else if (!transaction_error_) {
    transaction_error_ = error;
  }
  return error;
}

Status PgMailboxStore::Prepare() {
  if (!in_transaction_) {
    Status st = conn_->Ensure();
    backend_pid_ = conn_->backend_pid();
    return st;
  }
  if (transaction_error_) return *transaction_error_;
  if (!savepoint_open_) {
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
  ATTUNE_RETURN_IF_ERROR(std::move(st));
  ATTUNE_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  in_transaction_ = true;
  savepoint_open_ = false;
  release_pending_ = false;
  operation_error_.reset();
  transaction_error_.reset();
  return Status::Ok();
}

Status PgMailboxStore::EndOperation() {
  if (!in_transaction_) return Status::Ok();
  if (transaction_error_) return *transaction_error_;
  if (!savepoint_open_) {
    // No write reached the database; a failure before it changed nothing.
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
  if (transaction_error_) {
    Error e = *transaction_error_;
    Rollback();
    return e;
  }
  auto r = conn_->Query("COMMIT");
  in_transaction_ = false;
  savepoint_open_ = false;
  if (!r.ok()) {
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
  if (!conn_->broken()) conn_->Exec("ROLLBACK").ok();
  in_transaction_ = false;
  savepoint_open_ = false;
  operation_error_.reset();
  transaction_error_.reset();
}

Result<PgResult> PgMailboxStore::Run(size_t stmt, const PgParams& params) {
  if (Status prep = Prepare(); !prep.ok()) return Fail(prep.error());
  auto r = conn_->Run(stmt, params, !in_transaction_);
  backend_pid_ = conn_->backend_pid();
  if (!r.ok()) return Fail(r.error());
  return r;
}

Result<std::optional<MailboxRecord>> PgMailboxStore::GetMailbox(const MailboxId& id) {
  PgParams p;
  p.Bytes(id);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r,
                          Run(in_transaction_ ? pg::kGetMailboxForUpdate : pg::kGetMailbox, p));
  if (r.rows() == 0) return std::optional<MailboxRecord>();
  MailboxRecord rec;
  rec.id = id;
  if (!r.Into(0, 0, rec.owner_key) || !r.Into(0, 1, rec.cap_hash)) {
    return Fail(Corrupt("mailbox"));
  }
  rec.next_message_id = static_cast<uint64_t>(r.Int8(0, 2));
  rec.message_count = static_cast<uint64_t>(r.Int8(0, 3));
  rec.byte_count = static_cast<uint64_t>(r.Int8(0, 4));
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
  PgParams p;
  p.Bytes(id).Bytes(owner_key).Bytes(cap_hash);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kUpdateKeys, p));
  return Status::Ok();
}

Result<bool> PgMailboxStore::DeleteMailbox(const MailboxId& id) {
  PgParams p;
  p.Bytes(id);
  ATTUNE_ASSIGN_OR_RETURN(PgResult mailbox, Run(pg::kDeleteMailbox, p));
  ATTUNE_ASSIGN_OR_RETURN(PgResult messages, Run(pg::kDeleteMailboxMessages, p));
  return mailbox.affected() > 0;
}

Status PgMailboxStore::AppendMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                                     uint64_t expires_at) {
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
  return r.affected() > 0;
}

Result<uint64_t> PgMailboxStore::PurgeExpired(uint64_t now, size_t max_rows) {
  PgParams p;
  p.Uint8(now).Uint8(max_rows);
  ATTUNE_ASSIGN_OR_RETURN(PgResult r, Run(pg::kPurgeMessages, p));
  PgParams t;
  t.Uint8(now);
  ATTUNE_ASSIGN_OR_RETURN(PgResult tickets, Run(pg::kPurgeTickets, t));
  return r.affected();
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
