// What the engine does with each delivery, whichever front end runs: the
// protocol's answers (receipts, the settings push to a new client) and the
// events a person notices. Lives here, not in a front end, so a second
// front end cannot forget a receipt.
#include <algorithm>
#include <set>

#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "attune/client/message_index.h"
#include "attune/client/messaging.h"
#include "attune/client/practice.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy/render.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/limits.h"

namespace attune::client {
Status Engine::ProcessDeliveryLocked(const net::Delivery& delivery, SyncReport& report,
                                     std::vector<Event>& events, bool& keep_on_relay,
                                     OwedReceipts& owed) {
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(ReceivedEvent received, HandleDelivery(ctx_, delivery));
  // The new row's list columns (and a receipt's delivered marks), derived
  // once now; relaxed, so no disk sync is added to the path.
  std::vector<DeliveredRows> delivered;
  if (received.kind == ReceivedEvent::Kind::kMessage) {
    ATTUNE_ASSIGN_OR_RETURN(delivered, IndexNewMessages(db));
  }
  // A delivery on a mailbox we own but cannot map stays on the relay.
  keep_on_relay = received.keep_on_relay;
  switch (received.kind) {
    case ReceivedEvent::Kind::kDuplicate:
      ++report.duplicates;
      return Status::Ok();
    case ReceivedEvent::Kind::kDropped:
      ++report.dropped;
      events.emplace_back(
          EngineError{EngineError::Kind::kDropped, ErrorCode::kInvalidArgument, received.reason});
      return Status::Ok();
    case ReceivedEvent::Kind::kPaired: {
      ++report.paired;
      events.emplace_back(ContactChanged{received.contact_id, received.contact_name,
                                         ContactChanged::Change::kPaired, ""});
      if (received.identity_changed) {
        events.emplace_back(ContactChanged{received.contact_id, received.contact_name,
                                           ContactChanged::Change::kIdentityChanged, ""});
      }
      // A therapist's new client gets the current office hours and crisis
      // resources right away (uploaded with the next flush).
      if (account_.role == Role::kTherapist && !received.identity_changed) {
        for (std::string_view key : {kOfficeHoursSetting, kResourcesSetting}) {
          ATTUNE_ASSIGN_OR_RETURN(auto stored, store::GetSetting(db, key));
          if (!stored) continue;
          auto content = therapy::ParseContent(*stored);
          if (!content.ok()) continue;
          auto bytes = NewTherapyContent(ctx_, content->body);
          Result<int64_t> queued =
              bytes.ok() ? QueueMessage(ctx_, received.contact_name, *bytes) : bytes.error();
          if (!queued.ok()) {
            events.emplace_back(EngineError{
                EngineError::Kind::kStillQueued, queued.error().code,
                "could not send your settings to the new client: " + queued.error().message});
          }
        }
      }
      return Status::Ok();
    }
    case ReceivedEvent::Kind::kMessage:
      break;
  }
  auto parsed = therapy::ParseContent(received.content);
  if (!parsed.ok()) {
    ++report.new_messages;
    events.emplace_back(MessageReceived{
        received.contact_id, received.contact_name, received.message_id, MessageKind::kUnknown,
        "[a message this version cannot show]", static_cast<int64_t>(now_())});
    return Status::Ok();
  }
  const MessageKind kind = KindOf(*parsed);
  if (!IsPersonMessage(kind)) {
    // Bookkeeping and settings: never an unread message.
    ATTUNE_RETURN_IF_ERROR(store::MarkRead(db, received.message_id));
  }
  if (const auto* r = std::get_if<therapy::Receipt>(&parsed->body)) {
    ++report.receipts;
    if (r->kind == therapy::ReceiptKind::kDelivered) {
      for (DeliveredRows& d : delivered) {
        if (d.contact_id != received.contact_id) continue;
        events.emplace_back(MessagesDelivered{received.contact_id, received.contact_name,
                                              std::move(d.message_ids)});
      }
    }
    return Status::Ok();
  }
  if (!IsPersonMessage(kind)) {
    ++report.practice_updates;
    events.emplace_back(ContactChanged{received.contact_id, received.contact_name,
                                       ContactChanged::Change::kPracticeUpdated,
                                       ContentSummary(*parsed)});
    return Status::Ok();
  }
  ++report.new_messages;
  // Texts and check-ins get a delivery receipt: the sender learns the
  // device stored it, never whether anyone read it. Best effort — a lost
  // receipt only means "sent" instead of "delivered" on their side. Queued
  // by the caller, after the event, for every delivery of a burst at once.
  owed.by_contact[received.contact_name].push_back(parsed->message_id);
  events.emplace_back(MessageReceived{received.contact_id, received.contact_name,
                                      received.message_id, kind, ContentSummary(*parsed),
                                      static_cast<int64_t>(now_())});
  if (const auto* c = std::get_if<therapy::CheckIn>(&parsed->body)) {
    const therapy::RiskAssessment risk = therapy::AssessRisk(*c);
    events.emplace_back(CheckInReceived{
        received.contact_id, received.contact_name, received.message_id, risk.urgent,
        risk.urgent ? therapy::DescribeRisk(risk, *c) : "", therapy::FormatFilledAt(*c)});
  }
  return Status::Ok();
}


void Engine::QueueReceiptsLocked(OwedReceipts& owed, std::vector<Event>& events) {
  if (owed.empty()) return;
  // Contents first (they must outlive the QueuedContent views).
  std::vector<std::pair<std::string, Bytes>> contents;
  for (auto& [contact, ids] : owed.by_contact) {
    for (size_t first = 0; first < ids.size(); first += therapy::kMaxReceiptIds) {
      const size_t last = std::min(ids.size(), first + therapy::kMaxReceiptIds);
      therapy::Receipt receipt{therapy::ReceiptKind::kDelivered,
                               std::vector<therapy::MessageId>(ids.begin() + static_cast<long>(first),
                                                               ids.begin() + static_cast<long>(last))};
      auto bytes = NewTherapyContent(ctx_, std::move(receipt));
      if (!bytes.ok()) {
        events.emplace_back(EngineError{EngineError::Kind::kStillQueued, bytes.error().code,
                                        "could not queue a delivery receipt: " +
                                            bytes.error().message});
        continue;
      }
      contents.emplace_back(contact, std::move(bytes).value());
    }
  }
  owed.by_contact.clear();
  std::vector<QueuedContent> items;
  items.reserve(contents.size());
  for (const auto& [contact, bytes] : contents) items.push_back(QueuedContent{contact, bytes});
  if (items.empty() || QueueMessages(ctx_, items).ok()) return;
  // One contact that cannot be written to (an identity change, a rollback
  // block) must not cost the others their receipts: one by one.
  for (const QueuedContent& item : items) {
    auto queued = QueueMessage(ctx_, item.contact_name, item.content);
    if (!queued.ok()) {
      events.emplace_back(EngineError{EngineError::Kind::kStillQueued, queued.error().code,
                                      "could not queue a delivery receipt: " +
                                          queued.error().message});
    }
  }
}

}  // namespace attune::client
