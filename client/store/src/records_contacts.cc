// contacts.
#include <cstring>
#include <functional>

#include "attune/client/store/records.h"

namespace attune::client::store {
namespace {

constexpr std::string_view kContactColumns =
    "SELECT id, name, display_name, identity_key, verified, identity_changed, send_block, "
    "peer_relay_host, peer_relay_port, peer_relay_key, peer_mailbox_id, peer_send_capability, "
    "own_mailbox, created_at FROM contacts ";

Result<Contact> ContactFromRow(const Statement& st) {
  Contact c;
  c.id = st.ColumnInt(0);
  c.name = st.ColumnText(1);
  c.display_name = st.ColumnText(2);
  c.identity_key = st.ColumnBlob(3);
  c.verified = st.ColumnInt(4) != 0;
  c.identity_changed = st.ColumnInt(5) != 0;
  c.send_block = st.ColumnText(6);
  c.peer_relay.host = st.ColumnText(7);
  c.peer_relay.port = static_cast<uint16_t>(st.ColumnInt(8));
  Bytes relay_key = st.ColumnBlob(9);
  Bytes mailbox = st.ColumnBlob(10);
  Bytes cap = st.ColumnBlob(11);
  bool ok = relay_key.size() == 32 && mailbox.size() == 32 && cap.size() == 32;
  if (ok) {
    std::memcpy(c.peer_relay.relay_public_key.data(), relay_key.data(), 32);
    std::memcpy(c.peer_mailbox_id.data(), mailbox.data(), 32);
    std::memcpy(c.peer_send_capability.data(), cap.data(), 32);
  }
  crypto::SecureZero(cap.data(), cap.size());
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "database: a contact record is damaged");
  if (!st.ColumnIsNull(12)) c.own_mailbox_row = st.ColumnInt(12);
  c.created_at = st.ColumnInt(13);
  return c;
}

void BindContact(Statement& st, const Contact& c) {
  st.Bind(1, c.name)
      .Bind(2, c.display_name)
      .BindBlob(3, c.identity_key)
      .Bind(4, int64_t{c.verified ? 1 : 0})
      .Bind(5, int64_t{c.identity_changed ? 1 : 0})
      .Bind(6, c.send_block)
      .Bind(7, c.peer_relay.host)
      .Bind(8, static_cast<int64_t>(c.peer_relay.port))
      .BindBlob(9, c.peer_relay.relay_public_key)
      .BindBlob(10, c.peer_mailbox_id)
      .BindBlob(11, c.peer_send_capability.view());
  if (c.own_mailbox_row) {
    st.Bind(12, *c.own_mailbox_row);
  } else {
    st.BindNull(12);
  }
}

Result<std::optional<Contact>> FindOne(Database& db, std::string_view where,
                                       const std::function<void(Statement&)>& bind) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare(std::string(kContactColumns) + std::string(where)));
  bind(st);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Contact>();
  ATTUNE_ASSIGN_OR_RETURN(Contact c, ContactFromRow(st));
  return std::optional<Contact>(std::move(c));
}

}  // namespace

Result<int64_t> InsertContact(Database& db, const Contact& c) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("INSERT INTO contacts(name, display_name, identity_key, verified, "
                 "identity_changed, send_block, peer_relay_host, peer_relay_port, peer_relay_key, "
                 "peer_mailbox_id, peer_send_capability, own_mailbox, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  BindContact(st, c);
  st.Bind(13, c.created_at);
  ATTUNE_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowId();
}

Status UpdateContact(Database& db, const Contact& c) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("UPDATE contacts SET name = ?, display_name = ?, identity_key = ?, verified = ?, "
                 "identity_changed = ?, send_block = ?, peer_relay_host = ?, peer_relay_port = ?, "
                 "peer_relay_key = ?, peer_mailbox_id = ?, peer_send_capability = ?, "
                 "own_mailbox = ? WHERE id = ?"));
  BindContact(st, c);
  st.Bind(13, c.id);
  return st.Run();
}

Result<Contact> GetContactByName(Database& db, std::string_view name) {
  ATTUNE_ASSIGN_OR_RETURN(auto c,
                          FindOne(db, "WHERE name = ?", [&](Statement& st) { st.Bind(1, name); }));
  if (!c) {
    return MakeError(ErrorCode::kNotFound,
                     "no contact named \"" + std::string(name) + "\" (see `attune contacts`)");
  }
  return std::move(*c);
}

Result<Contact> GetContact(Database& db, int64_t id) {
  ATTUNE_ASSIGN_OR_RETURN(auto c,
                          FindOne(db, "WHERE id = ?", [&](Statement& st) { st.Bind(1, id); }));
  if (!c) return MakeError(ErrorCode::kNotFound, "no such contact");
  return std::move(*c);
}

Result<std::optional<Contact>> FindContactByIdentity(Database& db, ByteView identity_key) {
  return FindOne(db, "WHERE identity_key = ?",
                 [&](Statement& st) { st.BindBlob(1, identity_key); });
}

Result<std::optional<Contact>> FindContactByOwnMailbox(Database& db, int64_t mailbox_row) {
  return FindOne(db, "WHERE own_mailbox = ?", [&](Statement& st) { st.Bind(1, mailbox_row); });
}

Result<std::vector<Contact>> ListContacts(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare(std::string(kContactColumns) + "ORDER BY name"));
  std::vector<Contact> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ATTUNE_ASSIGN_OR_RETURN(Contact c, ContactFromRow(st));
    out.push_back(std::move(c));
  }
  return out;
}

Status BlockAllContacts(Database& db, std::string_view reason) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("UPDATE contacts SET send_block = ?"));
  return st.Bind(1, reason).Run();
}

}  // namespace attune::client::store
