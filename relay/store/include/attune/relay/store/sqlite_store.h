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

#include "attune/base/result.h"
#include "attune/relay/store/mailbox_store.h"

struct sqlite3;

namespace attune::relay {

inline constexpr int kSchemaVersion = 1;
inline constexpr int kBusyTimeoutMs = 5000;
// Bound of the mailbox-row cache (Options::cache_mailboxes); it is emptied
// after a commit once it holds more rows than this.
inline constexpr size_t kMaxCachedMailboxes = 65536;

class SqliteMailboxStore final : public MailboxStore {
 public:
  struct Options {
    // Keeps mailbox rows in memory and writes their counters (next id, count,
    // bytes) once per transaction instead of once per message: a send is then
    // one INSERT, an ack one SELECT and one DELETE. Only for the connection
    // that is the sole writer of the mailboxes table (the relay's committer;
    // serve holds a lock on the data dir); never for a reader, which must see
    // rotations made elsewhere.
    bool cache_mailboxes = false;
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
      size_t h;
      std::memcpy(&h, id.data(), sizeof h);  // ids are uniformly random
      return h;
    }
  };

  SqliteMailboxStore(sqlite3* db, Options options);
  Status Exec(const char* sql);
  // Writes the counters of every dirty cached mailbox.
  Status FlushDirty();
  // Outside a transaction each call must be durable on its own.
  Status FlushIfAutocommit() { return in_transaction_ ? Status::Ok() : FlushDirty(); }
  // Records the first failure inside a transaction so Commit() can refuse.
  Error Fail(Error error);

  sqlite3* db_ = nullptr;
  const Options options_{};
  std::unique_ptr<Statements> stmts_{};
  std::unordered_map<MailboxId, MailboxRecord, IdHash> cache_{};
  std::unordered_set<MailboxId, IdHash> dirty_{};
  bool in_transaction_ = false;
  std::optional<Error> transaction_error_{};
};

}  // namespace attune::relay
