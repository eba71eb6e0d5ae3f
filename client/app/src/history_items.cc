#include "attune/client/history_items.h"

#include <utility>

#include "attune/client/message_index.h"
#include "attune/client/therapy/check_in_card.h"
#include "attune/therapy/content.h"

namespace attune::client {

Result<std::vector<HistoryItem>> HistoryItemsOf(store::Database& db, int64_t contact_id,
                                                std::vector<store::ListedMessage> rows) {
  std::vector<HistoryItem> out;
  if (rows.empty()) return out;
  // Check-ins are shown as cards: the content of those in this range only.
  ATTUNE_ASSIGN_OR_RETURN(
      auto check_ins, store::ListContentOfKind(db, contact_id, StoredKind(MessageKind::kCheckIn),
                                               rows.front().id, rows.back().id));
  auto next_check_in = check_ins.begin();
  out.reserve(rows.size());
  for (store::ListedMessage& m : rows) {
    HistoryItem item;
    item.message_id = m.id;
    item.outgoing = m.outgoing;
    item.created_at = m.created_at;
    item.kind = KindFromStored(m.kind);
    item.summary = std::move(m.summary);
    if (item.outgoing) {
      // A receipt proves the relay had it, whatever the sent flag says.
      item.status = m.delivered ? HistoryItem::Status::kDelivered
                    : m.sent    ? HistoryItem::Status::kSent
                                : HistoryItem::Status::kQueued;
    }
    while (next_check_in != check_ins.end() && next_check_in->id < m.id) ++next_check_in;
    if (next_check_in != check_ins.end() && next_check_in->id == m.id) {
      auto parsed = therapy::ParseContent(next_check_in->content);
      const auto* c = parsed.ok() ? std::get_if<therapy::CheckIn>(&parsed->body) : nullptr;
      if (c != nullptr) item.check_in = therapy::DescribeCheckInCard(*c);
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace attune::client
