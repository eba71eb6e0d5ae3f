// Engine queries a windowed front end needs beyond the CLI's (engine.h,
// "desktop queries"): the contact list's order, reading a conversation, the
// clock and the check-in form.
#include <algorithm>
#include <cstdlib>

#include "attune/client/engine.h"
#include "attune/client/history_items.h"
#include "attune/client/message_index.h"
#include "attune/client/profile_location.h"
#include "attune/client/store/message_index.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/check_in.h"

namespace attune::client {

Result<std::string> DefaultProfileDir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/attune";
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home != '/') {
    return MakeError(ErrorCode::kNotFound, "cannot find a home directory; pass --profile DIR");
  }
  return std::string(home) + "/.local/share/attune";
}

Result<std::vector<ContactView>> Engine::ContactsByAttention() {
  ATTUNE_ASSIGN_OR_RETURN(std::vector<ContactView> contacts, Contacts());
  std::stable_sort(contacts.begin(), contacts.end(),
                   [](const ContactView& a, const ContactView& b) {
                     if (a.urgent_unacknowledged != b.urgent_unacknowledged) {
                       return a.urgent_unacknowledged > b.urgent_unacknowledged;
                     }
                     if (a.unread != b.unread) return a.unread > b.unread;
                     return a.name < b.name;
                   });
  return contacts;
}

Result<size_t> Engine::MarkConversationRead(std::string_view contact_name) {
  std::lock_guard lock(mu_);
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(contact_name));
  // Called whenever a message arrives on screen: one statement, no message
  // read, and no disk sync (a read mark lost in a crash only shows a message
  // as new again).
  ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx,
                          store::Transaction::Begin(db, store::Durability::kRelaxed));
  ATTUNE_ASSIGN_OR_RETURN(size_t changed, store::MarkContactRead(db, contact.id));
  ATTUNE_RETURN_IF_ERROR(tx.Commit());
  return changed;
}

Result<Engine::HistoryPage> Engine::HistoryBefore(std::string_view contact_name,
                                                  int64_t before_message_id, size_t limit) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(contact_name));
  ATTUNE_RETURN_IF_ERROR(IndexLocked());
  ATTUNE_ASSIGN_OR_RETURN(auto rows, store::ListConversationPage(profile_.db(), contact.id,
                                                                 StoredKind(MessageKind::kReceipt),
                                                                 before_message_id, limit));
  HistoryPage page;
  if (rows.size() > limit) {
    page.more = true;
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(rows.size() - limit));
  }
  ATTUNE_ASSIGN_OR_RETURN(page.items, HistoryItemsOf(profile_.db(), contact.id, std::move(rows)));
  return page;
}

Result<CheckInForm> Engine::CheckInFormFor(std::string_view therapist) {
  if (account_.role != Role::kClient) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "check-ins are filled in by clients; this profile is a therapist's");
  }
  ATTUNE_ASSIGN_OR_RETURN(auto active, ActiveSchedule(therapist));
  CheckInForm form;
  if (!active) {
    form.items = {therapy::CheckInItem::kMood, therapy::CheckInItem::kAnxiety,
                  therapy::CheckInItem::kSleep, therapy::CheckInItem::kNote};
    return form;
  }
  const auto& schedule = std::get<therapy::CheckInSchedule>(active->body);
  form.items = schedule.items;
  form.instruments = schedule.instruments;
  form.schedule_message_id = active->message_id;
  return form;
}

Result<SendResult> Engine::SendCheckInNow(std::string_view therapist, therapy::CheckInInput input) {
  input.filled_at = Now();
  input.utc_offset_seconds = DeviceZone()->OffsetAt(input.filled_at);
  ATTUNE_ASSIGN_OR_RETURN(therapy::CheckIn check_in, therapy::CheckIn::Create(std::move(input)));
  return SendCheckIn(therapist, std::move(check_in));
}

Result<int64_t> Engine::OutsideChangeMark() {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                          profile_.db().QueryInt("PRAGMA data_version"));
  if (!version) return MakeError(ErrorCode::kIoError, "the profile's change counter is missing");
  return *version;
}

}  // namespace attune::client
