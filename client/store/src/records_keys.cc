// settings, identity, mailboxes, invitations, sessions.
#include <cstring>

#include "attune/client/store/records.h"

namespace attune::client::store {
namespace {

template <size_t N>
bool CopyFixed(const Bytes& from, uint8_t* to) {
  if (from.size() != N) return false;
  std::memcpy(to, from.data(), N);
  return true;
}

Error Damaged(std::string_view table) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "database: a " + std::string(table) + " record is damaged");
}

Result<OwnedMailbox> MailboxFromRow(const Statement& st) {
  OwnedMailbox m;
  m.row = st.ColumnInt(0);
  Bytes id = st.ColumnBlob(1);
  Bytes seed = st.ColumnBlob(2);
  Bytes cap = st.ColumnBlob(3);
  Bytes relay_key = st.ColumnBlob(6);
  bool ok = CopyFixed<32>(id, m.mailbox_id.data()) && CopyFixed<32>(seed, m.owner_seed.data()) &&
            CopyFixed<32>(cap, m.send_capability.data()) &&
            CopyFixed<32>(relay_key, m.relay.relay_public_key.data());
  crypto::SecureZero(seed.data(), seed.size());
  crypto::SecureZero(cap.data(), cap.size());
  if (!ok) return Damaged("mailbox");
  if (!st.ColumnIsNull(7)) {
    Bytes ticket = st.ColumnBlob(7);
    bool ticket_ok = CopyFixed<32>(ticket, m.pending_ticket.data());
    crypto::SecureZero(ticket.data(), ticket.size());
    if (!ticket_ok) return Damaged("mailbox");
    m.has_pending_ticket = true;
  }
  m.relay.host = st.ColumnText(4);
  m.relay.port = static_cast<uint16_t>(st.ColumnInt(5));
  return m;
}

constexpr std::string_view kMailboxColumns =
    "SELECT id, mailbox_id, owner_seed, send_capability, relay_host, relay_port, "
    "relay_public_key, pending_ticket FROM mailboxes ";

}  // namespace

Status PutSetting(Database& db, std::string_view key, ByteView value) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)"));
  return st.Bind(1, key).BindBlob(2, value).Run();
}

Result<std::optional<Bytes>> GetSetting(Database& db, std::string_view key) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT value FROM settings WHERE key = ?"));
  st.Bind(1, key);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Bytes>();
  return std::optional<Bytes>(st.ColumnBlob(0));
}

Status PutIdentity(Database& db, ByteView serialized_identity) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("INSERT OR REPLACE INTO identity(id, record) VALUES (1, ?)"));
  return st.BindBlob(1, serialized_identity).Run();
}

Result<crypto::SecretBytes> GetIdentity(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT record FROM identity WHERE id = 1"));
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "this profile has no identity yet");
  Bytes b = st.ColumnBlob(0);
  crypto::SecretBytes out(b);
  crypto::SecureZero(b.data(), b.size());
  return out;
}

Result<int64_t> InsertMailbox(Database& db, const OwnedMailbox& m) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("INSERT INTO mailboxes(mailbox_id, owner_seed, send_capability, relay_host, "
                 "relay_port, relay_public_key, pending_ticket) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st.BindBlob(1, m.mailbox_id)
      .BindBlob(2, m.owner_seed.view())
      .BindBlob(3, m.send_capability.view())
      .Bind(4, m.relay.host)
      .Bind(5, static_cast<int64_t>(m.relay.port))
      .BindBlob(6, m.relay.relay_public_key);
  if (m.has_pending_ticket) {
    st.BindBlob(7, m.pending_ticket.view());
  } else {
    st.BindNull(7);
  }
  ATTUNE_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowId();
}

Result<std::vector<OwnedMailbox>> ListMailboxes(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare(std::string(kMailboxColumns) + "ORDER BY id"));
  std::vector<OwnedMailbox> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ATTUNE_ASSIGN_OR_RETURN(OwnedMailbox m, MailboxFromRow(st));
    out.push_back(std::move(m));
  }
  return out;
}

Result<OwnedMailbox> GetMailbox(Database& db, int64_t row_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare(std::string(kMailboxColumns) + "WHERE id = ?"));
  st.Bind(1, row_id);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no such mailbox");
  return MailboxFromRow(st);
}

Result<std::optional<OwnedMailbox>> FindMailbox(Database& db, const ByteArray<32>& mailbox_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare(std::string(kMailboxColumns) + "WHERE mailbox_id = ?"));
  st.BindBlob(1, mailbox_id);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<OwnedMailbox>();
  ATTUNE_ASSIGN_OR_RETURN(OwnedMailbox m, MailboxFromRow(st));
  return std::optional<OwnedMailbox>(std::move(m));
}

Status MarkMailboxCreated(Database& db, int64_t row) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("UPDATE mailboxes SET pending_ticket = NULL WHERE id = ?"));
  return st.Bind(1, row).Run();
}

Status PutSession(Database& db, int64_t contact_id, ByteView state, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      // SQLCipher 3.4 is SQLite 3.15: no UPSERT.
      db.Prepare("INSERT OR REPLACE INTO sessions(contact_id, state, updated_at) "
                 "VALUES (?, ?, ?)"));
  return st.Bind(1, contact_id).BindBlob(2, state).Bind(3, now).Run();
}

Result<crypto::SecretBytes> GetSession(Database& db, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT state FROM sessions WHERE contact_id = ?"));
  st.Bind(1, contact_id);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no session with this contact");
  Bytes b = st.ColumnBlob(0);
  crypto::SecretBytes out(b);
  crypto::SecureZero(b.data(), b.size());
  return out;
}

Result<int64_t> InsertInvitation(Database& db, const InvitationRecord& inv) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("INSERT INTO invitations(secrets, mailbox, replaces_contact, suggested_name, "
                 "created_at, expires_at, consumed) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st.BindBlob(1, inv.secrets.view()).Bind(2, inv.mailbox_row);
  if (inv.replaces_contact) {
    st.Bind(3, *inv.replaces_contact);
  } else {
    st.BindNull(3);
  }
  st.Bind(4, inv.suggested_name)
      .Bind(5, inv.created_at)
      .Bind(6, inv.expires_at)
      .Bind(7, int64_t{inv.consumed ? 1 : 0});
  ATTUNE_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowId();
}

Result<std::optional<InvitationRecord>> FindInvitationByMailbox(Database& db, int64_t mailbox_row) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("SELECT id, secrets, mailbox, replaces_contact, suggested_name, created_at, "
                 "expires_at, consumed FROM invitations WHERE mailbox = ?"));
  st.Bind(1, mailbox_row);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<InvitationRecord>();
  InvitationRecord inv;
  inv.row = st.ColumnInt(0);
  Bytes secrets = st.ColumnBlob(1);
  inv.secrets = crypto::SecretBytes(secrets);
  crypto::SecureZero(secrets.data(), secrets.size());
  inv.mailbox_row = st.ColumnInt(2);
  if (!st.ColumnIsNull(3)) inv.replaces_contact = st.ColumnInt(3);
  inv.suggested_name = st.ColumnText(4);
  inv.created_at = st.ColumnInt(5);
  inv.expires_at = st.ColumnInt(6);
  inv.consumed = st.ColumnInt(7) != 0;
  return std::optional<InvitationRecord>(std::move(inv));
}

Status UpdateInvitation(Database& db, int64_t row, ByteView secrets, bool consumed) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st, db.Prepare("UPDATE invitations SET secrets = ?, consumed = ? WHERE id = ?"));
  return st.BindBlob(1, secrets).Bind(2, int64_t{consumed ? 1 : 0}).Bind(3, row).Run();
}

}  // namespace attune::client::store
