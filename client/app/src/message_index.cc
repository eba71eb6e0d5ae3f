#include "attune/client/message_index.h"

#include "attune/client/content_view.h"
#include "attune/client/store/message_index.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/check_in.h"

namespace attune::client {
namespace {

// Rows per transaction: bounds how long one indexing pass holds the write
// lock when a version-1 profile with a long history is indexed.
constexpr size_t kBatch = 500;

constexpr std::string_view kUnknownSummary = "[a message this version cannot show]";

}  // namespace

int64_t StoredKind(MessageKind kind) {
  switch (kind) {
    case MessageKind::kText:
      return 1;
    case MessageKind::kCheckIn:
      return 2;
    case MessageKind::kSchedule:
      return 3;
    case MessageKind::kOfficeHours:
      return 4;
    case MessageKind::kCrisisResources:
      return 5;
    case MessageKind::kReceipt:
      return 6;
    case MessageKind::kUnknown:
      return 7;
  }
  return 7;
}

MessageKind KindFromStored(int64_t code) {
  switch (code) {
    case 1:
      return MessageKind::kText;
    case 2:
      return MessageKind::kCheckIn;
    case 3:
      return MessageKind::kSchedule;
    case 4:
      return MessageKind::kOfficeHours;
    case 5:
      return MessageKind::kCrisisResources;
    case 6:
      return MessageKind::kReceipt;
    default:
      return MessageKind::kUnknown;
  }
}

Result<std::vector<DeliveredRows>> IndexNewMessages(store::Database& db) {
  std::vector<DeliveredRows> delivered;
  while (true) {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx,
                            store::Transaction::Begin(db, store::Durability::kRelaxed));
    ATTUNE_ASSIGN_OR_RETURN(auto rows, store::ListUnindexed(db, kBatch));
    if (rows.empty()) return delivered;
    ATTUNE_ASSIGN_OR_RETURN(store::MessageIndexWriter writer,
                            store::MessageIndexWriter::Prepare(db));
    for (const store::UnindexedMessage& m : rows) {
      store::MessageIndex index;
      auto parsed = therapy::ParseContent(m.content);
      if (!parsed.ok()) {
        index.kind = StoredKind(MessageKind::kUnknown);
        index.listed = true;
        index.summary = std::string(kUnknownSummary);
        ATTUNE_RETURN_IF_ERROR(writer.Set(m.id, index));
        continue;
      }
      const MessageKind kind = KindOf(*parsed);
      const bool incoming = m.direction == store::Direction::kIncoming;
      index.kind = StoredKind(kind);
      index.listed = IsPersonMessage(kind);
      index.content_id.assign(parsed->message_id.begin(), parsed->message_id.end());
      index.summary = ContentSummary(*parsed);
      if (const auto* c = std::get_if<therapy::CheckIn>(&parsed->body)) {
        index.urgent = incoming && therapy::AssessRisk(*c).urgent;
        if (index.urgent) {
          ATTUNE_ASSIGN_OR_RETURN(auto acked, AcknowledgedAt(db, parsed->message_id));
          index.acknowledged = acked.has_value();
        }
      }
      ATTUNE_RETURN_IF_ERROR(writer.Set(m.id, index));
      const auto* r = std::get_if<therapy::Receipt>(&parsed->body);
      if (incoming && r != nullptr && r->kind == therapy::ReceiptKind::kDelivered) {
        std::vector<Bytes> ids;
        ids.reserve(r->message_ids.size());
        for (const therapy::MessageId& id : r->message_ids) ids.emplace_back(id.begin(), id.end());
        ATTUNE_ASSIGN_OR_RETURN(auto marked, store::MarkDelivered(db, m.contact_id, ids));
        if (!marked.empty()) delivered.push_back(DeliveredRows{m.contact_id, std::move(marked)});
      }
    }
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
    if (rows.size() < kBatch) return delivered;
  }
}

}  // namespace attune::client
