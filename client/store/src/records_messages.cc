// messages, outbox, processed wire blobs.
#include <optional>

#include "attune/client/store/records.h"

namespace attune::client::store {
namespace {

constexpr std::string_view kMessageColumns =
    "SELECT id, contact_id, direction, content, created_at, read, sent FROM messages ";

MessageRecord MessageFromRow(const Statement& st) {
  MessageRecord m;
  m.id = st.ColumnInt(0);
  m.contact_id = st.ColumnInt(1);
  m.direction = st.ColumnInt(2) == 1 ? Direction::kOutgoing : Direction::kIncoming;
  m.content = st.ColumnBlob(3);
  m.created_at = st.ColumnInt(4);
  m.read = st.ColumnInt(5) != 0;
  m.sent = st.ColumnInt(6) != 0;
  return m;
}

Result<std::vector<MessageRecord>> Collect(Statement& st) {
  std::vector<MessageRecord> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(MessageFromRow(st));
  }
  return out;
}

}  // namespace

Result<int64_t> InsertMessage(Database& db, const MessageRecord& m) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("INSERT INTO messages(contact_id, direction, content, created_at, read, sent) "
                 "VALUES (?, ?, ?, ?, ?, ?)"));
  st.Bind(1, m.contact_id)
      .Bind(2, int64_t{m.direction == Direction::kOutgoing ? 1 : 0})
      .BindBlob(3, m.content)
      .Bind(4, m.created_at)
      .Bind(5, int64_t{m.read ? 1 : 0})
      .Bind(6, int64_t{m.sent ? 1 : 0});
  ATTUNE_RETURN_IF_ERROR(st.Run());
  return db.LastInsertRowId();
}

Result<std::vector<MessageRecord>> ListMessages(Database& db, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st, db.Prepare(std::string(kMessageColumns) + "WHERE contact_id = ? ORDER BY id"));
  st.Bind(1, contact_id);
  return Collect(st);
}

Result<std::vector<MessageRecord>> ListInbox(Database& db, size_t limit) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare(std::string(kMessageColumns) +
                                     "WHERE direction = 0 ORDER BY read ASC, id ASC LIMIT ?"));
  // SQLite: a negative LIMIT means none.
  st.Bind(1, limit == kNoLimit ? int64_t{-1} : static_cast<int64_t>(limit));
  return Collect(st);
}

Status MarkRead(Database& db, int64_t message_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("UPDATE messages SET read = 1 WHERE id = ?"));
  return st.Bind(1, message_id).Run();
}

Result<size_t> MarkContactRead(Database& db, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare(
          "UPDATE messages SET read = 1 WHERE direction = 0 AND read = 0 AND contact_id = ?"));
  ATTUNE_RETURN_IF_ERROR(st.Bind(1, contact_id).Run());
  return static_cast<size_t>(db.Changes());
}

Result<int64_t> InsertOutbox(Database& db, const OutboxEntry& e, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("INSERT INTO outbox(contact_id, message_id, wire, created_at) "
                                     "VALUES (?, ?, ?, ?)"));
  ATTUNE_RETURN_IF_ERROR(
      st.Bind(1, e.contact_id).Bind(2, e.message_id).BindBlob(3, e.wire).Bind(4, now).Run());
  return db.LastInsertRowId();
}

Result<std::vector<OutboxEntry>> ListUnsent(Database& db, size_t limit) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT id, contact_id, message_id, wire FROM outbox "
                                     "WHERE sent_at IS NULL ORDER BY id LIMIT ?"));
  st.Bind(1, static_cast<int64_t>(limit));
  std::vector<OutboxEntry> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(OutboxEntry{st.ColumnInt(0), st.ColumnInt(1), st.ColumnInt(2), st.ColumnBlob(3)});
  }
  return out;
}

Status MarkSent(Database& db, int64_t outbox_id, uint64_t relay_message_id, int64_t now) {
  // Both rows change together or not at all: a crash between the two
  // UPDATEs left a message "(queued)" forever (its outbox row was done).
  // Relaxed (sqlite.h): if a power cut undoes it, the row is uploaded again
  // and the recipient drops the duplicate.
  std::optional<Transaction> tx;
  if (!db.InTransaction()) {
    ATTUNE_ASSIGN_OR_RETURN(Transaction begun, Transaction::Begin(db, Durability::kRelaxed));
    tx.emplace(std::move(begun));
  }
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st, db.Prepare("UPDATE outbox SET sent_at = ?, relay_message_id = ?, wire = NULL "
                               "WHERE id = ?"));
  ATTUNE_RETURN_IF_ERROR(
      st.Bind(1, now).Bind(2, static_cast<int64_t>(relay_message_id)).Bind(3, outbox_id).Run());
  ATTUNE_ASSIGN_OR_RETURN(Statement msg,
                          db.Prepare("UPDATE messages SET sent = 1 WHERE id = "
                                     "(SELECT message_id FROM outbox WHERE id = ?)"));
  ATTUNE_RETURN_IF_ERROR(msg.Bind(1, outbox_id).Run());
  return tx ? tx->Commit() : Status::Ok();
}

Result<bool> WasProcessed(Database& db, const ByteArray<32>& blob_hash) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT 1 FROM processed WHERE blob_hash = ?"));
  st.BindBlob(1, blob_hash);
  return st.Step();
}

Status MarkProcessed(Database& db, const ByteArray<32>& blob_hash, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("INSERT OR IGNORE INTO processed(blob_hash, processed_at) VALUES (?, ?)"));
  return st.BindBlob(1, blob_hash).Bind(2, now).Run();
}

Status PruneProcessed(Database& db, int64_t now) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("DELETE FROM processed WHERE processed_at < ?"));
  return st.Bind(1, now - kProcessedRetentionSeconds).Run();
}

}  // namespace attune::client::store
