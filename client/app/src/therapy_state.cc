#include "attune/client/therapy_state.h"

#include "attune/client/therapy/tzif.h"
#include "attune/therapy/check_in.h"

namespace attune::client {
namespace {

std::string AckKey(const therapy::MessageId& id) { return "therapy/ack/" + ToHex(id); }

}  // namespace

std::unique_ptr<therapy::TimeZoneRules> ZoneOrUtc(const std::string& name) {
  if (!name.empty() && name != "UTC") {
    auto zone = therapy::LoadTimeZone(name);
    if (zone.ok()) return std::move(zone).value();
  }
  return std::make_unique<therapy::FixedOffsetZone>(0, "UTC");
}

std::unique_ptr<therapy::TimeZoneRules> DeviceZone() {
  auto zone = therapy::LoadTimeZone(therapy::LocalTimeZoneName());
  if (zone.ok()) return std::move(zone).value();
  return std::make_unique<therapy::FixedOffsetZone>(0, "UTC");
}

std::string FormatInZone(const therapy::TimeZoneRules& zone, int64_t utc) {
  const therapy::LocalTime local = therapy::ToLocal(zone, utc);
  return std::string(therapy::WeekdayShortName(therapy::WeekdayFromDays(therapy::DayOf(local)))) +
         " " + therapy::FormatLocalMinute(local) + " (" + std::string(zone.name()) + ")";
}

Result<std::vector<StoredContent>> LoadConversation(store::Database& db, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(auto records, store::ListMessages(db, contact_id));
  std::vector<StoredContent> out;
  out.reserve(records.size());
  for (store::MessageRecord& r : records) {
    auto parsed = therapy::ParseContent(r.content);
    if (!parsed.ok()) continue;
    out.push_back(StoredContent{std::move(r), std::move(parsed).value()});
  }
  return out;
}

Result<std::optional<int64_t>> AcknowledgedAt(store::Database& db, const therapy::MessageId& id) {
  ATTUNE_ASSIGN_OR_RETURN(std::optional<Bytes> value, store::GetSetting(db, AckKey(id)));
  if (!value) return std::optional<int64_t>();
  if (value->size() != 8) return MakeError(ErrorCode::kInvalidArgument, "bad acknowledgement");
  return std::optional<int64_t>(static_cast<int64_t>(ReadU64BE(value->data())));
}

Status Acknowledge(store::Database& db, const therapy::MessageId& id, int64_t now) {
  Bytes value;
  AppendU64BE(value, static_cast<uint64_t>(now));
  return store::PutSetting(db, AckKey(id), value);
}

bool IsUrgentCheckIn(const StoredContent& message) {
  const auto* c = std::get_if<therapy::CheckIn>(&message.content.body);
  return message.incoming() && c != nullptr && therapy::AssessRisk(*c).urgent;
}

std::set<therapy::MessageId> DeliveredIds(const std::vector<StoredContent>& conversation) {
  std::set<therapy::MessageId> delivered;
  for (const StoredContent& m : conversation) {
    const auto* r = std::get_if<therapy::Receipt>(&m.content.body);
    if (m.incoming() && r != nullptr && r->kind == therapy::ReceiptKind::kDelivered) {
      delivered.insert(r->message_ids.begin(), r->message_ids.end());
    }
  }
  return delivered;
}

Result<therapy::ConversationExport> BuildConversationExport(Context& ctx,
                                                            const store::Contact& contact,
                                                            std::string_view self_role) {
  ATTUNE_ASSIGN_OR_RETURN(std::vector<StoredContent> conversation,
                          LoadConversation(ctx.db(), contact.id));
  const std::set<therapy::MessageId> delivered = DeliveredIds(conversation);
  therapy::ConversationExport out;
  out.contact = contact.name;
  out.self_role = std::string(self_role);
  out.exported_at = static_cast<int64_t>(ctx.now());
  out.utc_offset_seconds = DeviceZone()->OffsetAt(out.exported_at);
  for (const StoredContent& m : conversation) {
    therapy::HistoryEntry e;
    if (const auto* t = std::get_if<therapy::TextMessage>(&m.content.body)) {
      e.body = *t;
    } else if (const auto* c = std::get_if<therapy::CheckIn>(&m.content.body)) {
      e.body = *c;
      if (IsUrgentCheckIn(m)) {
        ATTUNE_ASSIGN_OR_RETURN(e.acknowledged_at, AcknowledgedAt(ctx.db(), m.content.message_id));
      }
    } else {
      continue;
    }
    e.message_id = m.content.message_id;
    e.direction =
        m.incoming() ? therapy::HistoryDirection::kReceived : therapy::HistoryDirection::kSent;
    e.time = m.record.created_at;
    e.sent_at = m.content.sent_at;
    e.delivered = !m.incoming() && delivered.count(m.content.message_id) != 0;
    out.entries.push_back(std::move(e));
  }
  return out;
}

Result<Bytes> NewTherapyContent(Context& ctx, therapy::ContentBody body) {
  const therapy::ValidatedContent content =
      therapy::NewContent(ctx.random, ctx.now(), std::move(body));
  Bytes bytes = therapy::SerializeContent(content);
  auto check = therapy::ParseContent(bytes);
  if (!check.ok()) return check.error();
  return bytes;
}

}  // namespace attune::client
