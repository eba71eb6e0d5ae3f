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
#include "attune/client/therapy/check_in_card.h"
#include "attune/client/therapy/render.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/limits.h"

namespace attune::client {
Status Engine::ProcessDeliveryLocked(const net::Delivery& delivery, SyncReport& report,
                                     std::vector<Event>& events, bool& keep_on_relay) {
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
    case ReceivedEvent::Kind::kRetired:
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
      // Not to a pending re-pairing: it is not confirmed as that client yet.
      if (account_.role == Role::kTherapist && !received.identity_changed &&
          received.pending_replaces.empty()) {
        auto contact = store::GetContact(db, received.contact_id);
        if (contact.ok()) {
          QueueSettingsForLocked(*contact, events);
        } else {
          events.emplace_back(EngineError{EngineError::Kind::kLocal, contact.error().code,
                                          contact.error().message});
        }
      }
      // The message that paired may carry content too (an earlier one was
      // lost): shown like any other message.
      if (received.message_id == 0) return Status::Ok();
      break;
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
  // Its delivery receipt was queued with it, in the same transaction
  // (receive.cc); only a receipt that could not be encrypted is reported.
  if (received.receipt_error) {
    events.emplace_back(
        EngineError{EngineError::Kind::kStillQueued, received.receipt_error->code,
                    "could not queue a delivery receipt: " + received.receipt_error->message});
  }
  MessageReceived shown{
      received.contact_id,     received.contact_name,        received.message_id,      kind,
      ContentSummary(*parsed), static_cast<int64_t>(now_()), received.pending_replaces};
  const auto* c = std::get_if<therapy::CheckIn>(&parsed->body);
  if (c != nullptr) shown.check_in = therapy::DescribeCheckInCard(*c);
  events.emplace_back(std::move(shown));
  if (c != nullptr) {
    const therapy::RiskAssessment risk = therapy::AssessRisk(*c);
    events.emplace_back(CheckInReceived{
        received.contact_id, received.contact_name, received.message_id, risk.urgent,
        risk.urgent ? therapy::DescribeRisk(risk, *c) : "", therapy::FormatFilledAt(*c)});
  }
  return Status::Ok();
}

}  // namespace attune::client
