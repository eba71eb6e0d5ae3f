// The embedded MailboxStore: one SQLite database file (through SQLCipher's
// library, without a database key: everything stored is already ciphertext,
// a hash or a random id; see docs/security/relay.md) in WAL mode with
// synchronous=FULL, so a committed transaction survives kill -9 and power
// loss. secure_delete=ON overwrites deleted blobs in the database file.
//
// Schema and pragmas: docs/protocol/mailbox.md section 8.
//
// Thread safety: none (see MailboxStore). Other processes (the admin CLI) may
// open the same file concurrently; SQLite's locking serialises writers and
// each side waits up to kBusyTimeoutMs.
#pragma once

#include <memory>
#include <string>

#include "attune/base/result.h"
#include "attune/relay/store/mailbox_store.h"

struct sqlite3;

namespace attune::relay {

inline constexpr int kSchemaVersion = 1;
inline constexpr int kBusyTimeoutMs = 5000;

class SqliteMailboxStore final : public MailboxStore {
 public:
  // Opens (creating if missing) the database at `path`. Errors: kIoError
  // when it cannot be opened or is not a database; kUnsupportedVersion for
  // another schema version.
  static Result<std::unique_ptr<SqliteMailboxStore>> Open(const std::string& path);
  ~SqliteMailboxStore() override;

  SqliteMailboxStore(const SqliteMailboxStore&) = delete;
  SqliteMailboxStore& operator=(const SqliteMailboxStore&) = delete;

  Status Begin() override;
  Status Commit() override;
  void Rollback() override;

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
  explicit SqliteMailboxStore(sqlite3* db);
  Status Exec(const char* sql);
  // Records the first failure inside a transaction so Commit() can refuse.
  Error Fail(Error error);

  sqlite3* db_;
  std::unique_ptr<Statements> stmts_;
  bool in_transaction_ = false;
  std::optional<Error> transaction_error_;
};

}  // namespace attune::relay
