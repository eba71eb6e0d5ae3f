// The therapist's practice settings, queued to a client whose device has
// none of them yet: a new client when pairing completes, and a re-pairing
// once the therapist confirms it (engine_pending.cc). Queued only; the
// caller's next flush uploads them.
#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "attune/client/messaging.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy_state.h"

namespace attune::client {
namespace {

// The latest schedule this therapist sent `contact` (nullopt: none).
Result<std::optional<therapy::ContentBody>> LatestSentSchedule(store::Database& db,
                                                               int64_t contact) {
  ATTUNE_ASSIGN_OR_RETURN(auto conversation, LoadConversation(db, contact));
  const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, /*incoming=*/false);
  if (s == nullptr) return std::optional<therapy::ContentBody>();
  return std::optional<therapy::ContentBody>(s->content.body);
}

}  // namespace

void Engine::QueueSettingsForLocked(const std::string& contact_name, bool with_schedule,
                                    std::vector<Event>& events) {
  store::Database& db = profile_.db();
  std::vector<therapy::ContentBody> bodies;
  for (std::string_view key : {kOfficeHoursSetting, kResourcesSetting}) {
    auto stored = store::GetSetting(db, key);
    if (!stored.ok()) {
      events.emplace_back(EngineError{EngineError::Kind::kLocal, stored.error().code,
                                      "could not read your settings: " + stored.error().message});
      continue;
    }
    if (!*stored) continue;
    auto content = therapy::ParseContent(**stored);
    if (content.ok()) bodies.push_back(content->body);
  }
  if (with_schedule) {
    auto contact = store::GetContactByName(db, contact_name);
    auto schedule = contact.ok() ? LatestSentSchedule(db, contact->id)
                                 : Result<std::optional<therapy::ContentBody>>(contact.error());
    if (schedule.ok() && *schedule) bodies.push_back(**schedule);
  }
  for (const therapy::ContentBody& body : bodies) {
    auto bytes = NewTherapyContent(ctx_, body);
    Result<int64_t> queued = bytes.ok() ? QueueMessage(ctx_, contact_name, *bytes) : bytes.error();
    if (!queued.ok()) {
      events.emplace_back(EngineError{
          EngineError::Kind::kStillQueued, queued.error().code,
          "could not send your settings to " + contact_name + ": " + queued.error().message});
    }
  }
}

}  // namespace attune::client
