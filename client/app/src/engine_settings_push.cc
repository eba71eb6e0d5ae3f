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

Result<std::vector<Bytes>> Engine::SettingsContentsLocked(int64_t contact_id, bool with_schedule,
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
    ATTUNE_ASSIGN_OR_RETURN(auto schedule, LatestSentSchedule(db, contact_id));
    if (schedule) bodies.push_back(*schedule);
  }
  std::vector<Bytes> out;
  for (const therapy::ContentBody& body : bodies) {
    ATTUNE_ASSIGN_OR_RETURN(Bytes bytes, NewTherapyContent(ctx_, body));
    out.push_back(std::move(bytes));
  }
  return out;
}

void Engine::QueueSettingsForLocked(const store::Contact& contact, std::vector<Event>& events) {
  auto contents = SettingsContentsLocked(contact.id, /*with_schedule=*/false, events);
  if (!contents.ok()) {
    events.emplace_back(
        EngineError{EngineError::Kind::kLocal, contents.error().code, contents.error().message});
    return;
  }
  for (const Bytes& content : *contents) {
    Result<int64_t> queued = QueueMessage(ctx_, contact.name, content);
    if (!queued.ok()) {
      events.emplace_back(EngineError{
          EngineError::Kind::kStillQueued, queued.error().code,
          "could not send your settings to " + contact.name + ": " + queued.error().message});
    }
  }
}

Status Engine::WriteSettingsForLocked(const store::Contact& contact, uint64_t* generation,
                                      std::vector<Event>& events) {
  ATTUNE_ASSIGN_OR_RETURN(std::vector<Bytes> contents,
                          SettingsContentsLocked(contact.id, /*with_schedule=*/true, events));
  for (const Bytes& content : contents) {
    auto prepared = PrepareMessage(ctx_, contact, content);
    if (!prepared.ok()) {
      // Encrypting wrote nothing: the confirm still commits.
      events.emplace_back(EngineError{
          EngineError::Kind::kStillQueued, prepared.error().code,
          "could not send your settings to " + contact.name + ": " + prepared.error().message});
      continue;
    }
    ATTUNE_ASSIGN_OR_RETURN(const int64_t row, WritePreparedMessage(ctx_, *prepared, generation));
    (void)row;
  }
  return Status::Ok();
}

}  // namespace attune::client
