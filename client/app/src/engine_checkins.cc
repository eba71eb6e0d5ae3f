// Check-in rows (check_ins.h) and the schedule a therapist sent a client:
// what the desktop app lists and charts, derived from the conversation.
#include "attune/client/check_ins.h"
#include "attune/client/engine.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/check_in.h"

namespace attune::client {

const therapy::Score* CheckInRecord::Find(therapy::InstrumentId id) const {
  for (const therapy::Score& s : scores) {
    if (s.instrument == id) return &s;
  }
  return nullptr;
}

std::vector<CheckInRecord> CheckInRecords(const therapy::ConversationExport& conversation) {
  std::vector<CheckInRecord> out;
  for (const therapy::HistoryEntry& e : conversation.entries) {
    const auto* c = std::get_if<therapy::CheckIn>(&e.body);
    if (c == nullptr) continue;
    CheckInRecord r;
    r.message_id = e.message_id;
    r.received = e.direction == therapy::HistoryDirection::kReceived;
    r.time = e.time;
    r.filled_at = c->filled_at();
    r.utc_offset_seconds = c->utc_offset_seconds();
    r.mood = c->mood();
    r.anxiety = c->anxiety();
    r.sleep_minutes = c->sleep_minutes();
    r.note = c->note();
    r.help_now = c->help_now();
    for (const therapy::ValidatedAnswers& a : c->instruments()) {
      r.scores.push_back(therapy::ScoreAnswers(a));
    }
    // The same rule as the inbox's urgent flag (IsUrgentCheckIn): only a
    // received check-in is someone else's risk to act on.
    const therapy::RiskAssessment risk = therapy::AssessRisk(*c);
    r.urgent = r.received && risk.urgent;
    if (r.urgent) r.risk = therapy::DescribeRisk(risk, *c);
    r.acknowledged_at = e.acknowledged_at;
    r.summary = therapy::SummarizeCheckIn(*c);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<CheckInRecord>> Engine::CheckIns(std::string_view contact) {
  ATTUNE_ASSIGN_OR_RETURN(therapy::ConversationExport conversation, ExportConversation(contact));
  return CheckInRecords(conversation);
}

Result<std::optional<therapy::CheckInSchedule>> Engine::SentSchedule(std::string_view client) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(client));
  ATTUNE_ASSIGN_OR_RETURN(auto conversation, LoadConversation(profile_.db(), contact.id));
  const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, /*incoming=*/false);
  if (s == nullptr) return std::optional<therapy::CheckInSchedule>();
  return std::optional<therapy::CheckInSchedule>(
      std::get<therapy::CheckInSchedule>(s->content.body));
}

}  // namespace attune::client
