// Mailboxes waiting to be deleted on their relay (mailbox_deletions.h).
#include <cstring>

#include "attune/client/store/mailbox_deletions.h"

namespace attune::client::store {
namespace {

Status EnsureMailboxDeletions(Database& db) {
  return db.Exec(
      "CREATE TABLE IF NOT EXISTS mailbox_deletions("
      "mailbox_id BLOB PRIMARY KEY, owner_seed BLOB NOT NULL, relay_host TEXT NOT NULL, "
      "relay_port INTEGER NOT NULL, relay_public_key BLOB NOT NULL, queued_at INTEGER NOT NULL)");
}

bool Copy32(const Bytes& from, uint8_t* to) {
  if (from.size() != 32) return false;
  std::memcpy(to, from.data(), 32);
  return true;
}

}  // namespace

Status RetireMailbox(Database& db, int64_t row, int64_t now) {
  ATTUNE_RETURN_IF_ERROR(EnsureMailboxDeletions(db));
  {
    // The secrets are copied inside SQLite, never through this process.
    ATTUNE_ASSIGN_OR_RETURN(
        Statement st,
        db.Prepare("INSERT OR REPLACE INTO mailbox_deletions(mailbox_id, owner_seed, relay_host, "
                   "relay_port, relay_public_key, queued_at) SELECT mailbox_id, owner_seed, "
                   "relay_host, relay_port, relay_public_key, ? FROM mailboxes WHERE id = ?"));
    ATTUNE_RETURN_IF_ERROR(st.Bind(1, now).Bind(2, row).Run());
  }
  ATTUNE_ASSIGN_OR_RETURN(auto copied, db.QueryInt("SELECT changes()"));
  if (!copied || *copied != 1) return MakeError(ErrorCode::kNotFound, "no such mailbox");
  for (std::string_view sql :
       {"DELETE FROM invitations WHERE mailbox = ?", "DELETE FROM mailboxes WHERE id = ?"}) {
    ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
    ATTUNE_RETURN_IF_ERROR(st.Bind(1, row).Run());
  }
  return Status::Ok();
}

Result<std::vector<MailboxDeletion>> ListMailboxDeletions(Database& db) {
  ATTUNE_RETURN_IF_ERROR(EnsureMailboxDeletions(db));
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("SELECT mailbox_id, owner_seed, relay_host, relay_port, relay_public_key "
                 "FROM mailbox_deletions ORDER BY queued_at, mailbox_id"));
  std::vector<MailboxDeletion> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    MailboxDeletion d;
    Bytes id = st.ColumnBlob(0);
    Bytes seed = st.ColumnBlob(1);
    Bytes key = st.ColumnBlob(4);
    const bool ok = Copy32(id, d.mailbox_id.data()) && Copy32(seed, d.owner_seed.data()) &&
                    Copy32(key, d.relay.relay_public_key.data());
    crypto::SecureZero(seed.data(), seed.size());
    if (!ok) {
      return MakeError(ErrorCode::kInvalidArgument, "database: a mailbox deletion is damaged");
    }
    d.relay.host = st.ColumnText(2);
    d.relay.port = static_cast<uint16_t>(st.ColumnInt(3));
    out.push_back(std::move(d));
  }
  return out;
}

Result<bool> IsMailboxRetired(Database& db, const ByteArray<32>& mailbox_id) {
  ATTUNE_RETURN_IF_ERROR(EnsureMailboxDeletions(db));
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT 1 FROM mailbox_deletions WHERE mailbox_id = ?"));
  st.BindBlob(1, mailbox_id);
  return st.Step();
}

Status ForgetMailboxDeletion(Database& db, const ByteArray<32>& mailbox_id) {
  ATTUNE_RETURN_IF_ERROR(EnsureMailboxDeletions(db));
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("DELETE FROM mailbox_deletions WHERE mailbox_id = ?"));
  return st.BindBlob(1, mailbox_id).Run();
}

}  // namespace attune::client::store
