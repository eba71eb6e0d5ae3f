#include "therapy_state.h"

#include <algorithm>
#include <iostream>

#include "attune/client/content_view.h"
#include "attune/client/therapy/render.h"
#include "attune/client/therapy/tzif.h"

namespace attune::cli {
namespace {

namespace store = client::store;

// A conversation "starts" when this device sent nothing to the contact for
// this long; the client is then reminded of reply times and resources.
constexpr int64_t kConversationGapSeconds = 12 * 3600;

std::string AckKey(const therapy::MessageId& id) { return "therapy/ack/" + ToHex(id); }

std::unique_ptr<therapy::TimeZoneRules> ZoneOrUtc(const std::string& name) {
  auto zone = therapy::LoadTimeZone(name);
  if (zone.ok()) return std::move(zone).value();
  return std::make_unique<therapy::FixedOffsetZone>(0, "UTC");
}

}  // namespace

Result<std::vector<StoredContent>> LoadConversation(client::Context& ctx, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(auto records, store::ListMessages(ctx.db(), contact_id));
  std::vector<StoredContent> out;
  out.reserve(records.size());
  for (store::MessageRecord& r : records) {
    auto parsed = therapy::ParseContent(r.content);
    if (!parsed.ok()) continue;
    out.push_back(StoredContent{std::move(r), std::move(parsed).value()});
  }
  return out;
}

therapy::CrisisResourceSet ResourcesFrom(const std::vector<StoredContent>& conversation) {
  if (const StoredContent* m = Latest<therapy::CrisisResourceSet>(conversation, true)) {
    return std::get<therapy::CrisisResourceSet>(m->content.body);
  }
  return therapy::DefaultUsCrisisResources();
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

namespace {

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

}  // namespace

Result<std::set<int64_t>> DeliveredRows(client::Context& ctx, int64_t contact_id) {
  ATTUNE_ASSIGN_OR_RETURN(std::vector<StoredContent> conversation,
                          LoadConversation(ctx, contact_id));
  const std::set<therapy::MessageId> delivered = DeliveredIds(conversation);
  std::set<int64_t> rows;
  for (const StoredContent& m : conversation) {
    if (!m.incoming() && delivered.count(m.content.message_id) != 0) rows.insert(m.record.id);
  }
  return rows;
}

Result<therapy::ConversationExport> BuildConversationExport(client::Context& ctx,
                                                            const store::Contact& contact) {
  ATTUNE_ASSIGN_OR_RETURN(std::vector<StoredContent> conversation,
                          LoadConversation(ctx, contact.id));
  ATTUNE_ASSIGN_OR_RETURN(client::AccountInfo account, client::LoadAccount(ctx.db()));
  const std::set<therapy::MessageId> delivered = DeliveredIds(conversation);
  therapy::ConversationExport out;
  out.contact = contact.name;
  out.self_role = client::RoleName(account.role);
  out.exported_at = static_cast<int64_t>(ctx.now());
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

Result<int64_t> QueueTherapyContent(client::Context& ctx, std::string_view contact_name,
                                    therapy::ContentBody body) {
  const therapy::ValidatedContent content =
      therapy::NewContent(ctx.random, ctx.now(), std::move(body));
  const Bytes bytes = therapy::SerializeContent(content);
  auto check = therapy::ParseContent(bytes);
  if (!check.ok()) return check.error();
  return client::QueueMessage(ctx, contact_name, bytes);
}

Result<std::set<int64_t>> PrepareInbox(client::Context& ctx,
                                       std::vector<store::MessageRecord>& messages, size_t limit) {
  std::set<int64_t> urgent;
  std::vector<store::MessageRecord> kept;
  kept.reserve(messages.size());
  for (store::MessageRecord& m : messages) {
    auto parsed = therapy::ParseContent(m.content);
    if (parsed.ok() && std::holds_alternative<therapy::Receipt>(parsed->body)) {
      if (!m.read) ATTUNE_RETURN_IF_ERROR(store::MarkRead(ctx.db(), m.id));
      continue;
    }
    if (parsed.ok() && m.direction == store::Direction::kIncoming) {
      const auto* c = std::get_if<therapy::CheckIn>(&parsed->body);
      if (c != nullptr && therapy::AssessRisk(*c).urgent) {
        ATTUNE_ASSIGN_OR_RETURN(auto acked, AcknowledgedAt(ctx.db(), parsed->message_id));
        if (!acked) urgent.insert(m.id);
      }
    }
    kept.push_back(std::move(m));
  }
  std::stable_partition(kept.begin(), kept.end(),
                        [&](const store::MessageRecord& m) { return urgent.count(m.id) != 0; });
  if (kept.size() > urgent.size() + limit) kept.resize(urgent.size() + limit);
  messages = std::move(kept);
  return urgent;
}

bool HandleTherapyEvent(client::Context& ctx, const client::ReceivedEvent& event) {
  if (event.kind == client::ReceivedEvent::Kind::kPaired) {
    // A therapist's new client gets the current office hours and crisis
    // resources right away (sent with the next outbox flush).
    auto account = client::LoadAccount(ctx.db());
    if (account.ok() && account->role == client::Role::kTherapist) {
      for (std::string_view key : {kOfficeHoursSetting, kResourcesSetting}) {
        auto stored = store::GetSetting(ctx.db(), key);
        if (!stored.ok() || !stored->has_value()) continue;
        auto content = therapy::ParseContent(**stored);
        if (!content.ok()) continue;
        auto queued = QueueTherapyContent(ctx, event.contact_name, content->body);
        if (!queued.ok()) {
          std::cerr << "attune: warning: could not send your settings to the new client: "
                    << queued.error().message << "\n";
        }
      }
    }
    return false;
  }
  if (event.kind != client::ReceivedEvent::Kind::kMessage) return false;
  auto parsed = therapy::ParseContent(event.content);
  if (!parsed.ok()) return false;
  if (std::holds_alternative<therapy::Receipt>(parsed->body)) {
    // Bookkeeping, not a message: never listed as unread.
    (void)store::MarkRead(ctx.db(), event.message_id);
    return true;
  }
  const bool wants_receipt = std::holds_alternative<therapy::TextMessage>(parsed->body) ||
                             std::holds_alternative<therapy::CheckIn>(parsed->body);
  if (wants_receipt) {
    // Best effort: a receipt lost to a crash here only means the sender
    // sees "sent" instead of "delivered".
    auto queued = QueueTherapyContent(
        ctx, event.contact_name,
        therapy::Receipt{therapy::ReceiptKind::kDelivered, {parsed->message_id}});
    if (!queued.ok()) {
      std::cerr << "attune: warning: could not queue a delivery receipt: " << queued.error().message
                << "\n";
    }
  }
  if (const auto* c = std::get_if<therapy::CheckIn>(&parsed->body)) {
    const therapy::RiskAssessment risk = therapy::AssessRisk(*c);
    const std::string who = client::SanitizeForTerminal(event.contact_name);
    if (risk.urgent) {
      std::cout << "!!! URGENT check-in from " << who << ": " << therapy::DescribeRisk(risk, *c)
                << " (run `attune checkins " << who << "`, then `attune ack " << who << "`)"
                << std::endl;
    } else {
      std::cout << "Check-in from " << who << " filled in " << therapy::FormatFilledAt(*c)
                << std::endl;
    }
    return true;
  }
  return false;
}

std::string SendNotice(client::Context& ctx, std::string_view contact_name) {
  auto account = client::LoadAccount(ctx.db());
  if (!account.ok() || account->role != client::Role::kClient) return "";
  auto contact = store::GetContactByName(ctx.db(), contact_name);
  if (!contact.ok()) return "";
  auto conversation = LoadConversation(ctx, contact->id);
  if (!conversation.ok()) return "";
  const auto now = static_cast<int64_t>(ctx.now());
  const therapy::CrisisResourceSet resources = ResourcesFrom(*conversation);
  const StoredContent* hours_msg = Latest<therapy::OfficeHours>(*conversation, true);

  // The message just queued is the newest outgoing one; look at the one
  // before it to decide whether this starts a conversation.
  int64_t previous_sent = 0;
  bool skipped_current = false;
  for (auto it = conversation->rbegin(); it != conversation->rend(); ++it) {
    if (it->incoming() || std::holds_alternative<therapy::Receipt>(it->content.body)) continue;
    if (!skipped_current) {
      skipped_current = true;
      continue;
    }
    previous_sent = it->record.created_at;
    break;
  }
  std::string out;
  if (hours_msg != nullptr) {
    const auto& hours = std::get<therapy::OfficeHours>(hours_msg->content.body);
    const auto zone = ZoneOrUtc(hours.time_zone());
    if (!hours.windows().empty() && !hours.IsWithinOfficeHours(*zone, now)) {
      return therapy::AutoReplyText(hours, *zone, now, client::SanitizeForTerminal(contact_name),
                                    resources);
    }
    if (now - previous_sent >= kConversationGapSeconds) {
      const std::string reply = hours.ExpectedReplyLine();
      if (!reply.empty()) out += client::SanitizeForTerminal(contact_name) + ": " + reply + "\n";
    }
  }
  if (now - previous_sent >= kConversationGapSeconds)
    out += therapy::FormatCrisisResources(resources);
  return out;
}

}  // namespace attune::cli
