#include "attune/relay/store/sqlite_store.h"

#include <sqlite3.h>

#include <vector>

#include "sqlite_statement.h"

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

}  // namespace

class SqliteMailboxStore::Statements {
 public:
  Statement get_mailbox, insert_mailbox, update_keys, delete_mailbox, delete_mailbox_messages;
  Statement insert_message, advance_mailbox, fetch, message_size, delete_message, shrink_mailbox;
  Statement expired_mailboxes, purge_messages, recount_mailbox, purge_tickets;
  Statement insert_credential, find_credential, set_uses, list_credentials, revoke, revoke_tickets;
  Statement insert_ticket, find_ticket, delete_ticket, write_counters;

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
         "mailbox_id = ?1) WHERE id = ?1"},
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
    };
    for (const Entry& e : entries) ATTUNE_RETURN_IF_ERROR(e.s->Prepare(db, e.sql));
    return Status::Ok();
  }
};

Result<std::unique_ptr<SqliteMailboxStore>> SqliteMailboxStore::Open(const std::string& path,
                                                                     Options options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db, "open database");
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteMailboxStore> store(new SqliteMailboxStore(db, options));
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
  ATTUNE_RETURN_IF_ERROR(store->Exec("COMMIT"));
  ATTUNE_RETURN_IF_ERROR(store->stmts_->Prepare(db));
  return store;
}

SqliteMailboxStore::SqliteMailboxStore(sqlite3* db, Options options)
    : db_(db), options_(options), stmts_(std::make_unique<Statements>()) {}

SqliteMailboxStore::~SqliteMailboxStore() {
  if (in_transaction_) Rollback();
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
  if (in_transaction_ && !transaction_error_) transaction_error_ = error;
  return error;
}

Status SqliteMailboxStore::Begin() {
  if (in_transaction_) return MakeError(ErrorCode::kInternal, "transaction already open");
  ATTUNE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  in_transaction_ = true;
  transaction_error_.reset();
  return Status::Ok();
}

Status SqliteMailboxStore::Commit() {
  if (!in_transaction_) return MakeError(ErrorCode::kInternal, "no transaction open");
  if (!transaction_error_) {
    if (Status flushed = FlushDirty(); !flushed.ok()) transaction_error_ = flushed.error();
  }
  if (transaction_error_) {
    Error e = *transaction_error_;
    Rollback();
    return e;
  }
  Status st = Exec("COMMIT");
  if (!st.ok()) {
    Rollback();
    return st;
  }
  in_transaction_ = false;
  if (cache_.size() > kMaxCachedMailboxes) cache_.clear();
  return Status::Ok();
}

void SqliteMailboxStore::Rollback() {
  if (!in_transaction_) return;
  // Fails harmlessly when SQLite already rolled back on its own (e.g. I/O error).
  Exec("ROLLBACK").ok();
  in_transaction_ = false;
  transaction_error_.reset();
  // Cached rows may hold changes that were just undone; rollbacks are rare,
  // so start over from the database.
  cache_.clear();
  dirty_.clear();
}

Status SqliteMailboxStore::FlushDirty() {
  for (const MailboxId& id : dirty_) {
    auto it = cache_.find(id);
    if (it == cache_.end()) continue;
    StatementUse s(stmts_->write_counters);
    s->Bind(1, id);
    s->Bind(2, it->second.next_message_id);
    s->Bind(3, it->second.message_count);
    s->Bind(4, it->second.byte_count);
    if (Status st = s->Run(); !st.ok()) return st;
  }
  dirty_.clear();
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
  if (options_.cache_mailboxes) cache_[id] = r;
  return std::optional<MailboxRecord>(r);
}

Status SqliteMailboxStore::InsertMailbox(const MailboxRecord& r) {
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
  if (options_.cache_mailboxes) cache_[r.id] = r;
  return Status::Ok();
}

Status SqliteMailboxStore::UpdateMailboxKeys(const MailboxId& id, const OwnerKey& owner_key,
                                             const Hash32& cap_hash) {
  StatementUse s(stmts_->update_keys);
  s->Bind(1, id);
  s->Bind(2, owner_key);
  s->Bind(3, cap_hash);
  ATTUNE_STORE_TRY(s->Run());
  if (auto it = cache_.find(id); it != cache_.end()) {
    it->second.owner_key = owner_key;
    it->second.cap_hash = cap_hash;
  }
  return Status::Ok();
}

Result<bool> SqliteMailboxStore::DeleteMailbox(const MailboxId& id) {
  cache_.erase(id);
  dirty_.erase(id);
  {
    StatementUse s(stmts_->delete_mailbox_messages);
    s->Bind(1, id);
    ATTUNE_STORE_TRY(s->Run());
  }
  StatementUse s(stmts_->delete_mailbox);
  s->Bind(1, id);
  ATTUNE_STORE_TRY(s->Run());
  return sqlite3_changes(db_) > 0;
}

Status SqliteMailboxStore::AppendMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                                         uint64_t expires_at) {
  if (options_.cache_mailboxes) {
    auto mailbox = GetMailbox(id);  // loads the row into the cache
    if (!mailbox.ok()) return mailbox.error();
    if (!*mailbox || (*mailbox)->next_message_id != message_id) {
      return Fail(MakeError(ErrorCode::kInternal, "message id is not the mailbox's next id"));
    }
    StatementUse s(stmts_->insert_message);
    s->Bind(1, id);
    s->Bind(2, message_id);
    s->Bind(3, expires_at);
    s->BindText(4, *blob);
    ATTUNE_STORE_TRY(s->Run());
    MailboxRecord& r = cache_[id];
    r.next_message_id = message_id + 1;
    r.message_count += 1;
    r.byte_count += blob->size();
    dirty_.insert(id);
    ATTUNE_STORE_TRY(FlushIfAutocommit());
    return Status::Ok();
  }
  {
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
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

Result<std::vector<StoredMessage>> SqliteMailboxStore::FetchMessages(const MailboxId& id,
                                                                     uint64_t after_id,
                                                                     uint64_t now, size_t max_count,
                                                                     size_t max_bytes) {
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
  int64_t size = 0;
  {
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
  }
  if (options_.cache_mailboxes) {
    auto mailbox = GetMailbox(id);
    if (!mailbox.ok()) return mailbox.error();
    if (!*mailbox) return true;
    MailboxRecord& r = cache_[id];
    r.message_count -= 1;
    r.byte_count -= static_cast<uint64_t>(size);
    dirty_.insert(id);
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
  // The recount below reads the mailboxes table: bring it up to date first.
  ATTUNE_STORE_TRY(FlushDirty());
  std::vector<MailboxId> affected;
  {
    StatementUse s(stmts_->expired_mailboxes);
    s->Bind(1, now);
    s->Bind(2, static_cast<uint64_t>(max_rows));
    for (;;) {
      auto row = s->Step();
      if (!row.ok()) return Fail(row.error());
      if (!*row) break;
      MailboxId id;
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
  for (const MailboxId& id : affected) {
    StatementUse s(stmts_->recount_mailbox);
    s->Bind(1, id);
    ATTUNE_STORE_TRY(s->Run());
    cache_.erase(id);  // its counters changed in SQL
  }
  StatementUse s(stmts_->purge_tickets);
  s->Bind(1, now);
  ATTUNE_STORE_TRY(s->Run());
  return deleted;
}

Result<int64_t> SqliteMailboxStore::InsertCredential(const Hash32& hash, uint64_t uses,
                                                     uint64_t expires_at) {
  StatementUse s(stmts_->insert_credential);
  s->Bind(1, hash);
  s->Bind(2, uses);
  s->Bind(3, expires_at);
  ATTUNE_STORE_TRY(s->Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::optional<CredentialRecord>> SqliteMailboxStore::FindCredential(const Hash32& hash) {
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
  StatementUse s(stmts_->set_uses);
  s->Bind(1, id);
  s->Bind(2, uses_left);
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

Result<std::vector<CredentialRecord>> SqliteMailboxStore::ListCredentials() {
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
  bool found = false;
  {
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
  StatementUse s(stmts_->insert_ticket);
  s->Bind(1, t.hash);
  s->Bind(2, t.credential_id);
  s->Bind(3, t.expires_at);
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

Result<std::optional<TicketRecord>> SqliteMailboxStore::FindTicket(const Hash32& hash) {
  StatementUse s(stmts_->find_ticket);
  s->Bind(1, hash);
  auto row = s->Step();
  if (!row.ok()) return Fail(row.error());
  if (!*row) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(
      TicketRecord{hash, s->Int(0), static_cast<uint64_t>(s->Int(1))});
}

Status SqliteMailboxStore::DeleteTicket(const Hash32& hash) {
  StatementUse s(stmts_->delete_ticket);
  s->Bind(1, hash);
  ATTUNE_STORE_TRY(s->Run());
  return Status::Ok();
}

}  // namespace attune::relay
