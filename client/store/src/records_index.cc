// The message index columns (message_index.h; schema version 2).
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "attune/client/store/message_index.h"

namespace attune::client::store {
namespace {

constexpr std::string_view kListedColumns =
    "SELECT id, contact_id, direction, created_at, read, sent, delivered, "
    "urgent AND NOT acknowledged, kind, summary FROM messages ";

ListedMessage ListedFromRow(const Statement& st) {
  ListedMessage m;
  m.id = st.ColumnInt(0);
  m.contact_id = st.ColumnInt(1);
  m.outgoing = st.ColumnInt(2) == 1;
  m.created_at = st.ColumnInt(3);
  m.read = st.ColumnInt(4) != 0;
  m.sent = st.ColumnInt(5) != 0;
  m.delivered = st.ColumnInt(6) != 0;
  m.urgent_open = st.ColumnInt(7) != 0;
  m.kind = st.ColumnInt(8);
  m.summary = st.ColumnText(9);
  return m;
}

Status CollectListed(Statement& st, std::vector<ListedMessage>& out) {
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
    out.push_back(ListedFromRow(st));
  }
}

}  // namespace

Result<std::vector<UnindexedMessage>> ListUnindexed(Database& db, size_t limit) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT id, contact_id, direction, content FROM messages "
                                     "WHERE kind IS NULL ORDER BY id LIMIT ?"));
  st.Bind(1, static_cast<int64_t>(limit));
  std::vector<UnindexedMessage> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(UnindexedMessage{
        st.ColumnInt(0), st.ColumnInt(1),
        st.ColumnInt(2) == 1 ? Direction::kOutgoing : Direction::kIncoming, st.ColumnBlob(3)});
  }
  return out;
}

Result<MessageIndexWriter> MessageIndexWriter::Prepare(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare("UPDATE OR FAIL messages SET kind = ?, listed = ?, urgent = ?, acknowledged = ?, "
                 "content_id = ?, summary = ? WHERE id = ?"));
  return MessageIndexWriter(std::move(st));
}

Status MessageIndexWriter::Set(int64_t message_id, const MessageIndex& index) {
  Statement& st = update_;
  st.Reset();
  st.Bind(1, index.kind)
      .Bind(2, int64_t{index.listed ? 1 : 0})
      .Bind(3, int64_t{index.urgent ? 1 : 0})
      .Bind(4, int64_t{index.acknowledged ? 1 : 0});
  if (index.content_id.empty()) {
    st.BindNull(5);
  } else {
    st.BindBlob(5, index.content_id);
  }
  return st.Bind(6, index.summary).Bind(7, message_id).Run();
}

Result<std::vector<int64_t>> MarkDelivered(Database& db, int64_t contact_id,
                                           const std::vector<Bytes>& content_ids) {
  ATTUNE_ASSIGN_OR_RETURN(Statement find,
                          db.Prepare("SELECT id FROM messages WHERE contact_id = ? AND "
                                     "content_id = ? AND direction = 1"));
  ATTUNE_ASSIGN_OR_RETURN(Statement mark,
                          db.Prepare("UPDATE messages SET delivered = 1 WHERE id = ?"));
  std::vector<int64_t> out;
  for (const Bytes& id : content_ids) {
    find.Bind(1, contact_id).BindBlob(2, id);
    while (true) {
      ATTUNE_ASSIGN_OR_RETURN(bool row, find.Step());
      if (!row) break;
      out.push_back(find.ColumnInt(0));
    }
    find.Reset();
  }
  for (int64_t row : out) {
    ATTUNE_RETURN_IF_ERROR(mark.Bind(1, row).Run());
    mark.Reset();
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<Bytes>> OpenUrgentContentIds(Database& db, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT content_id FROM messages WHERE contact_id = ? AND "
                                     "urgent = 1 AND acknowledged = 0 ORDER BY id"));
  st.Bind(1, contact_id);
  std::vector<Bytes> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.ColumnBlob(0));
  }
  return out;
}

Status MarkAcknowledged(Database& db, int64_t contact_id, ByteView content_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("UPDATE messages SET acknowledged = 1 WHERE contact_id = ? "
                                     "AND content_id = ? AND urgent = 1"));
  return st.Bind(1, contact_id).BindBlob(2, content_id).Run();
}

Result<std::vector<ListedMessage>> ListInboxIndexed(Database& db, size_t limit) {
  std::vector<ListedMessage> out;
  {
    // All of them, whatever the count (issue 10: urgent first, always).
    ATTUNE_ASSIGN_OR_RETURN(Statement urgent,
                            db.Prepare(std::string(kListedColumns) +
                                       "WHERE urgent = 1 AND acknowledged = 0 ORDER BY id"));
    ATTUNE_RETURN_IF_ERROR(CollectListed(urgent, out));
  }
  ATTUNE_ASSIGN_OR_RETURN(
      Statement rest,
      db.Prepare(std::string(kListedColumns) +
                 "WHERE direction = 0 AND listed = 1 AND NOT (urgent = 1 AND acknowledged = 0) "
                 "ORDER BY read ASC, id ASC LIMIT ?"));
  rest.Bind(1, limit == kNoLimit ? int64_t{-1} : static_cast<int64_t>(limit));
  ATTUNE_RETURN_IF_ERROR(CollectListed(rest, out));
  return out;
}

Result<std::vector<ListedMessage>> ListConversationIndexed(Database& db, int64_t contact_id,
                                                           int64_t hidden_kind) {
  ATTUNE_ASSIGN_OR_RETURN(
      Statement st,
      db.Prepare(std::string(kListedColumns) +
                 "WHERE contact_id = ? AND kind IS NOT NULL AND kind != ? ORDER BY id"));
  st.Bind(1, contact_id).Bind(2, hidden_kind);
  std::vector<ListedMessage> out;
  ATTUNE_RETURN_IF_ERROR(CollectListed(st, out));
  return out;
}

Result<std::vector<ListedMessage>> ListConversationPage(Database& db, int64_t contact_id,
                                                        int64_t hidden_kind, int64_t before_id,
                                                        size_t limit) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare(std::string(kListedColumns) +
                                     "WHERE contact_id = ? AND id < ? AND kind IS NOT NULL AND "
                                     "kind != ? ORDER BY id DESC LIMIT ?"));
  st.Bind(1, contact_id)
      .Bind(2, before_id > 0 ? before_id : std::numeric_limits<int64_t>::max())
      .Bind(3, hidden_kind)
      .Bind(4,
            static_cast<int64_t>(std::min<size_t>(limit + 1, std::numeric_limits<int64_t>::max())));
  std::vector<ListedMessage> out;
  ATTUNE_RETURN_IF_ERROR(CollectListed(st, out));
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<StoredContentRow>> ListContentOfKind(Database& db, int64_t contact_id,
                                                        int64_t kind, int64_t first_id,
                                                        int64_t last_id) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st,
                          db.Prepare("SELECT id, content FROM messages WHERE contact_id = ? AND "
                                     "id BETWEEN ? AND ? AND kind = ? ORDER BY id"));
  st.Bind(1, contact_id).Bind(2, first_id).Bind(3, last_id).Bind(4, kind);
  std::vector<StoredContentRow> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    out.push_back(StoredContentRow{st.ColumnInt(0), st.ColumnBlob(1)});
  }
}

Result<std::map<int64_t, std::string>> ListContactNames(Database& db) {
  ATTUNE_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT id, name FROM contacts"));
  std::map<int64_t, std::string> out;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.emplace(st.ColumnInt(0), st.ColumnText(1));
  }
  return out;
}

Result<std::vector<std::pair<int64_t, ContactCounts>>> CountsByContact(Database& db) {
  std::vector<std::pair<int64_t, ContactCounts>> out;
  // Both counts come from partial indexes (schema.cc): no message is read.
  ATTUNE_ASSIGN_OR_RETURN(
      Statement unread,
      db.Prepare("SELECT contact_id, count(*) FROM messages WHERE direction = 0 AND listed = 1 "
                 "AND read = 0 GROUP BY contact_id ORDER BY contact_id"));
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, unread.Step());
    if (!row) break;
    out.emplace_back(unread.ColumnInt(0),
                     ContactCounts{static_cast<size_t>(unread.ColumnInt(1)), 0});
  }
  ATTUNE_ASSIGN_OR_RETURN(
      Statement urgent,
      db.Prepare("SELECT contact_id, count(*) FROM messages WHERE urgent = 1 AND acknowledged = 0 "
                 "GROUP BY contact_id ORDER BY contact_id"));
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(bool row, urgent.Step());
    if (!row) break;
    const int64_t id = urgent.ColumnInt(0);
    auto it = std::lower_bound(out.begin(), out.end(), id,
                               [](const auto& entry, int64_t key) { return entry.first < key; });
    if (it == out.end() || it->first != id) it = out.insert(it, {id, ContactCounts{}});
    it->second.urgent_open = static_cast<size_t>(urgent.ColumnInt(1));
  }
  return out;
}

}  // namespace attune::client::store
