// Pending re-pairings (pending.h).
#include "attune/client/store/mailbox_deletions.h"
#include "attune/client/store/pending.h"

namespace attune::client::store {
namespace {

Result<std::optional<int64_t>> QueryId(Database& db, std::string_view sql, int64_t arg) {
  ATTUNE_RETURN_IF_ERROR(EnsurePendingContacts(db));
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
  st.Bind(1, arg);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<int64_t>{};
  return std::optional<int64_t>(st.ColumnInt(0));
}

Status RunWith(Database& db, std::string_view sql, int64_t a, std::optional<int64_t> b = {}) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
  st.Bind(1, a);
  if (b) st.Bind(2, *b);
  return st.Run();
}

Result<int64_t> RequirePending(Database& db, int64_t pending_id) {
  ATTUNE_ASSIGN_OR_RETURN(auto replaces, PendingReplaces(db, pending_id));
  if (!replaces) return MakeError(ErrorCode::kNotFound, "no pending re-pairing for this contact");
  return *replaces;
}

Result<std::optional<int64_t>> OwnMailboxOf(Database& db, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT own_mailbox FROM contacts WHERE id = ?"));
  st.Bind(1, contact_id);
  ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.ColumnIsNull(0)) return std::optional<int64_t>{};
  return std::optional<int64_t>(st.ColumnInt(0));
}

// An invitation that named the pending contact as the one it replaces
// (`invite --replaces NAME-pending`) now names the known contact, which is
// what pairing would have resolved it to anyway.
Status RetargetInvitations(Database& db, int64_t pending_id, int64_t old_id) {
  return RunWith(db, "UPDATE invitations SET replaces_contact = ?2 WHERE replaces_contact = ?1",
                 pending_id, old_id);
}

}  // namespace

Status EnsurePendingContacts(Database& db) {
  return db.Exec(
      "CREATE TABLE IF NOT EXISTS pending_contacts("
      "contact_id INTEGER PRIMARY KEY REFERENCES contacts(id), "
      "replaces INTEGER NOT NULL UNIQUE REFERENCES contacts(id), "
      "created_at INTEGER NOT NULL)");
}

Status MarkPending(Database& db, int64_t pending_id, int64_t replaces_id, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(auto earlier, PendingReplacementOf(db, replaces_id));
  if (earlier && *earlier != pending_id) {
    ATTUNE_RETURN_IF_ERROR(DiscardPending(db, *earlier, now));
  }
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare(
          "INSERT INTO pending_contacts(contact_id, replaces, created_at) VALUES (?, ?, ?)"));
  return st.Bind(1, pending_id).Bind(2, replaces_id).Bind(3, now).Run();
}

Result<std::vector<PendingLink>> ListPending(Database& db) {
  ATTUNE_RETURN_IF_ERROR(EnsurePendingContacts(db));
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT contact_id, replaces FROM pending_contacts"));
  std::vector<PendingLink> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(PendingLink{st.ColumnInt(0), st.ColumnInt(1)});
  }
  return out;
}

Result<std::optional<int64_t>> PendingReplaces(Database& db, int64_t contact_id) {
  return QueryId(db, "SELECT replaces FROM pending_contacts WHERE contact_id = ?", contact_id);
}

Result<std::optional<int64_t>> PendingReplacementOf(Database& db, int64_t contact_id) {
  return QueryId(db, "SELECT contact_id FROM pending_contacts WHERE replaces = ?", contact_id);
}

Result<int64_t> ConfirmPending(Database& db, int64_t pending_id, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(const int64_t old_id, RequirePending(db, pending_id));
  ATTUNE_ASSIGN_OR_RETURN(const std::optional<int64_t> old_mailbox, OwnMailboxOf(db, old_id));
  // The old row keeps its id and local name, so its history, inbox entries
  // and everything that names it stay; it takes the newcomer's keys and route.
  ATTUNE_RETURN_IF_ERROR(RunWith(
      db,
      "UPDATE contacts SET (display_name, identity_key, verified, identity_changed, send_block, "
      "peer_relay_host, peer_relay_port, peer_relay_key, peer_mailbox_id, peer_send_capability, "
      "own_mailbox) = (SELECT display_name, identity_key, 1, 0, '', peer_relay_host, "
      "peer_relay_port, peer_relay_key, peer_mailbox_id, peer_send_capability, own_mailbox "
      "FROM contacts WHERE id = ?1) WHERE id = ?2",
      pending_id, old_id));
  ATTUNE_RETURN_IF_ERROR(RunWith(db, "DELETE FROM sessions WHERE contact_id = ?", old_id));
  for (std::string_view sql : {"UPDATE sessions SET contact_id = ?2 WHERE contact_id = ?1",
                               "UPDATE messages SET contact_id = ?2 WHERE contact_id = ?1",
                               "UPDATE outbox SET contact_id = ?2 WHERE contact_id = ?1"}) {
    ATTUNE_RETURN_IF_ERROR(RunWith(db, sql, pending_id, old_id));
  }
  ATTUNE_RETURN_IF_ERROR(
      RunWith(db, "DELETE FROM pending_contacts WHERE contact_id = ?", pending_id));
  ATTUNE_RETURN_IF_ERROR(RetargetInvitations(db, pending_id, old_id));
  ATTUNE_RETURN_IF_ERROR(RunWith(db, "DELETE FROM contacts WHERE id = ?", pending_id));
  // The old session is gone; what still arrives on its mailbox could not be
  // read, so the relay is asked to forget the mailbox (mailbox_deletions.h).
  if (old_mailbox) ATTUNE_RETURN_IF_ERROR(RetireMailbox(db, *old_mailbox, now));
  return old_id;
}

Status DiscardPending(Database& db, int64_t pending_id, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(const int64_t old_id, RequirePending(db, pending_id));
  ATTUNE_ASSIGN_OR_RETURN(const std::optional<int64_t> mailbox, OwnMailboxOf(db, pending_id));
  ATTUNE_RETURN_IF_ERROR(RetargetInvitations(db, pending_id, old_id));
  for (std::string_view sql :
       {"DELETE FROM outbox WHERE contact_id = ?", "DELETE FROM messages WHERE contact_id = ?",
        "DELETE FROM sessions WHERE contact_id = ?",
        "DELETE FROM pending_contacts WHERE contact_id = ?", "DELETE FROM contacts WHERE id = ?"}) {
    ATTUNE_RETURN_IF_ERROR(RunWith(db, sql, pending_id));
  }
  if (mailbox) ATTUNE_RETURN_IF_ERROR(RetireMailbox(db, *mailbox, now));
  return Status::Ok();
}

Result<std::vector<int64_t>> PendingCreatedBefore(Database& db, int64_t cutoff) {
  ATTUNE_RETURN_IF_ERROR(EnsurePendingContacts(db));
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare(
          "SELECT contact_id FROM pending_contacts WHERE created_at < ? ORDER BY contact_id"));
  st.Bind(1, cutoff);
  std::vector<int64_t> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.ColumnInt(0));
  }
  return out;
}

Status ExpirePending(Database& db, int64_t pending_id, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(const int64_t old_id, RequirePending(db, pending_id));
  ATTUNE_ASSIGN_OR_RETURN(const std::optional<int64_t> mailbox, OwnMailboxOf(db, pending_id));
  ATTUNE_RETURN_IF_ERROR(RetargetInvitations(db, pending_id, old_id));
  // Its messages stay readable; it can neither send nor receive again.
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("UPDATE contacts SET own_mailbox = NULL, send_block = ? WHERE id = ?"));
  ATTUNE_RETURN_IF_ERROR(st.Bind(1, kDeclinedSendBlock).Bind(2, pending_id).Run());
  for (std::string_view sql :
       {"DELETE FROM outbox WHERE contact_id = ?", "DELETE FROM sessions WHERE contact_id = ?",
        "DELETE FROM pending_contacts WHERE contact_id = ?"}) {
    ATTUNE_RETURN_IF_ERROR(RunWith(db, sql, pending_id));
  }
  if (mailbox) ATTUNE_RETURN_IF_ERROR(RetireMailbox(db, *mailbox, now));
  return Status::Ok();
}

}  // namespace attune::client::store
