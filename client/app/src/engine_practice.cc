// Practice features of the engine: office hours, crisis resources and
// schedules (the therapist sets, the client's device applies), urgent
// acknowledgement, due check-ins, the client's local auto-reply, export.
#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "attune/client/messaging.h"
#include "attune/client/practice.h"
#include "attune/client/store/message_index.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy/tzif.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/instrument.h"
#include "attune/therapy/schedule.h"

namespace attune::client {
namespace {

Status RequireRole(const AccountInfo& account, Role role, const char* what) {
  if (account.role == role) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(what) + " is for " +
                       (role == Role::kTherapist ? "therapists" : "clients") +
                       "; this profile is a " + RoleName(account.role) + "'s");
}

PracticeInfo InfoFrom(const std::vector<StoredContent>& conversation, std::string therapist,
                      int64_t now) {
  PracticeInfo info;
  info.therapist = std::move(therapist);
  if (const StoredContent* m = Latest<therapy::CrisisResourceSet>(conversation, true)) {
    info.resources = std::get<therapy::CrisisResourceSet>(m->content.body);
    info.resource_source = ResourceSource::kClinic;
    info.resources_note = "These are the crisis resources your therapist's clinic set (" +
                          info.resources.locale() + "); they replace the default US set.";
  } else {
    info.resources_note =
        "Your therapist has not set crisis resources, so the default US set is shown.";
  }
  if (const StoredContent* m = Latest<therapy::OfficeHours>(conversation, true)) {
    const auto& hours = std::get<therapy::OfficeHours>(m->content.body);
    info.hours = hours;
    const auto zone = ZoneOrUtc(hours.time_zone());
    if (!hours.windows().empty()) {
      info.hours_text =
          therapy::OfficeHours::FormatWindows(hours.windows()) + " (" + hours.time_zone() + ")";
      info.within_hours_now = hours.IsWithinOfficeHours(*zone, now);
      if (!info.within_hours_now) {
        if (auto next = hours.NextOpening(*zone, now)) {
          info.next_opening = FormatInZone(*zone, *next);
        }
      }
    }
    info.expected_reply = hours.ExpectedReplyLine();
  }
  return info;
}

}  // namespace

Result<size_t> Engine::AcknowledgeUrgent(std::string_view client) {
  std::lock_guard lock(mu_);
  ATTUNE_RETURN_IF_ERROR(RequireRole(account_, Role::kTherapist, "acknowledging check-ins"));
  store::Database& db = profile_.db();
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(client));
  ATTUNE_RETURN_IF_ERROR(IndexLocked());
  size_t count = 0;
  ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  ATTUNE_ASSIGN_OR_RETURN(auto open, store::OpenUrgentContentIds(db, contact.id));
  for (const Bytes& id : open) {
    therapy::MessageId content_id{};
    if (id.size() != content_id.size()) continue;  // indexed without an id: cannot be urgent
    std::copy(id.begin(), id.end(), content_id.begin());
    // The settings entry stays the record exports read; the column is what
    // lists read. Both change in this one transaction.
    ATTUNE_RETURN_IF_ERROR(Acknowledge(db, content_id, static_cast<int64_t>(now_())));
    ATTUNE_RETURN_IF_ERROR(store::MarkAcknowledged(db, contact.id, id));
    ++count;
  }
  ATTUNE_RETURN_IF_ERROR(tx.Commit());
  return count;
}

Result<therapy::ConversationExport> Engine::ExportConversation(std::string_view name) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(name));
  return BuildConversationExport(ctx_, contact, RoleName(account_.role));
}

Result<PracticeInfo> Engine::PracticeInfoFor(std::string_view therapist) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(therapist));
  ATTUNE_ASSIGN_OR_RETURN(auto conversation, LoadConversation(profile_.db(), contact.id));
  return InfoFrom(conversation, contact.name, static_cast<int64_t>(now_()));
}

therapy::CrisisResourceSet Engine::CrisisResourcesFor(std::string_view therapist) {
  auto info = PracticeInfoFor(therapist);
  return info.ok() ? info->resources : therapy::DefaultUsCrisisResources();
}

Result<std::optional<therapy::ValidatedContent>> Engine::ActiveSchedule(
    std::string_view therapist) {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(store::Contact contact, ContactLocked(therapist));
  ATTUNE_ASSIGN_OR_RETURN(auto conversation, LoadConversation(profile_.db(), contact.id));
  const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, true);
  if (s == nullptr || !std::get<therapy::CheckInSchedule>(s->content.body).active) {
    return std::optional<therapy::ValidatedContent>();
  }
  return std::optional<therapy::ValidatedContent>(s->content);
}

Result<std::vector<DueCheckIn>> Engine::DueCheckIns() {
  std::lock_guard lock(mu_);
  ATTUNE_RETURN_IF_ERROR(RequireRole(account_, Role::kClient, "`attune due`"));
  ATTUNE_ASSIGN_OR_RETURN(auto contacts, store::ListContacts(profile_.db()));
  const auto now = static_cast<int64_t>(now_());
  std::vector<DueCheckIn> out;
  for (const store::Contact& contact : contacts) {
    ATTUNE_ASSIGN_OR_RETURN(auto conversation, LoadConversation(profile_.db(), contact.id));
    const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, true);
    if (s == nullptr) continue;
    const auto& schedule = std::get<therapy::CheckInSchedule>(s->content.body);
    if (!schedule.active) continue;
    std::unique_ptr<therapy::TimeZoneRules> zone =
        schedule.time_zone.empty() ? DeviceZone() : ZoneOrUtc(schedule.time_zone);
    std::optional<int64_t> last_filled;
    for (const StoredContent& m : conversation) {
      if (const auto* ci = std::get_if<therapy::CheckIn>(&m.content.body); ci && !m.incoming()) {
        last_filled = std::max(last_filled.value_or(0), ci->filled_at());
      }
    }
    const therapy::DueStatus due =
        therapy::ComputeDue(schedule.cadence, *zone, s->record.created_at, last_filled, now);
    DueCheckIn item;
    item.therapist = contact.name;
    item.cadence = schedule.cadence.ToString();
    for (therapy::CheckInItem i : schedule.items) {
      item.what += std::string(item.what.empty() ? "" : ", ") + therapy::CheckInItemName(i);
    }
    for (therapy::InstrumentId id : schedule.instruments) {
      item.what += std::string(item.what.empty() ? "" : ", ") +
                   std::string(therapy::GetInstrument(id).short_name);
    }
    item.due_now = due.due_now;
    if (due.due_since) item.due_since = FormatInZone(*zone, *due.due_since);
    item.next_due = FormatInZone(*zone, due.next_due);
    out.push_back(std::move(item));
  }
  return out;
}

Result<PushReport> Engine::PushLocked(std::string_view to, const therapy::ContentBody& body) {
  std::vector<store::Contact> targets;
  if (!to.empty()) {
    ATTUNE_ASSIGN_OR_RETURN(store::Contact c, ContactLocked(to));
    targets.push_back(std::move(c));
  } else {
    ATTUNE_ASSIGN_OR_RETURN(targets, store::ListContacts(profile_.db()));
  }
  PushReport report;
  for (const store::Contact& contact : targets) {
    ATTUNE_ASSIGN_OR_RETURN(Bytes content, NewTherapyContent(ctx_, body));
    if (contact.identity_changed || !contact.send_block.empty()) {
      report.refused.emplace_back(contact.name, "sending to them is blocked");
      continue;
    }
    auto queued = QueueMessage(ctx_, contact.name, content);
    if (!queued.ok()) {
      report.refused.emplace_back(contact.name, queued.error().message);
      continue;
    }
    ++report.queued;
  }
  if (report.queued > 0) {
    SyncReport flush = FlushLocked();
    report.sent = flush.sent;
    report.pending = flush.pending;
    report.pending_reason = flush.pending_reason;
  }
  return report;
}

Result<PushReport> Engine::SetOfficeHours(const therapy::OfficeHours& hours, std::string_view to) {
  std::lock_guard lock(mu_);
  ATTUNE_RETURN_IF_ERROR(RequireRole(account_, Role::kTherapist, "office hours"));
  ATTUNE_ASSIGN_OR_RETURN(Bytes stored, NewTherapyContent(ctx_, hours));
  ATTUNE_RETURN_IF_ERROR(store::PutSetting(profile_.db(), kOfficeHoursSetting, stored));
  return PushLocked(to, hours);
}

Result<PushReport> Engine::SetCrisisResources(const therapy::CrisisResourceSet& set,
                                              std::string_view to) {
  std::lock_guard lock(mu_);
  ATTUNE_RETURN_IF_ERROR(RequireRole(account_, Role::kTherapist, "crisis resources"));
  ATTUNE_ASSIGN_OR_RETURN(Bytes stored, NewTherapyContent(ctx_, set));
  ATTUNE_RETURN_IF_ERROR(store::PutSetting(profile_.db(), kResourcesSetting, stored));
  return PushLocked(to, set);
}

Result<PushReport> Engine::SendSchedule(std::string_view client,
                                        const therapy::CheckInSchedule& schedule) {
  std::lock_guard lock(mu_);
  ATTUNE_RETURN_IF_ERROR(RequireRole(account_, Role::kTherapist, "check-in schedules"));
  if (client.empty()) return MakeError(ErrorCode::kInvalidArgument, "name the client");
  return PushLocked(client, schedule);
}

Result<std::optional<therapy::OfficeHours>> Engine::OwnOfficeHours() {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(auto value, store::GetSetting(profile_.db(), kOfficeHoursSetting));
  if (!value) return std::optional<therapy::OfficeHours>();
  ATTUNE_ASSIGN_OR_RETURN(auto content, therapy::ParseContent(*value));
  const auto* hours = std::get_if<therapy::OfficeHours>(&content.body);
  if (hours == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "stored office hours are damaged");
  }
  return std::optional<therapy::OfficeHours>(*hours);
}

Result<std::optional<therapy::CrisisResourceSet>> Engine::OwnCrisisResources() {
  std::lock_guard lock(mu_);
  ATTUNE_ASSIGN_OR_RETURN(auto value, store::GetSetting(profile_.db(), kResourcesSetting));
  if (!value) return std::optional<therapy::CrisisResourceSet>();
  ATTUNE_ASSIGN_OR_RETURN(auto content, therapy::ParseContent(*value));
  const auto* set = std::get_if<therapy::CrisisResourceSet>(&content.body);
  if (set == nullptr) return MakeError(ErrorCode::kInvalidArgument, "stored resources are damaged");
  return std::optional<therapy::CrisisResourceSet>(*set);
}

std::string Engine::SendNoticeLocked(const store::Contact& contact) {
  if (account_.role != Role::kClient) return "";
  auto conversation = LoadConversation(profile_.db(), contact.id);
  if (!conversation.ok()) return "";
  const auto now = static_cast<int64_t>(now_());
  const PracticeInfo info = InfoFrom(*conversation, contact.name, now);
  // The message just queued is the newest outgoing one; the one before it
  // decides whether this starts a conversation.
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
  const std::string who = SanitizeForTerminal(contact.name);
  const std::string resources = FormatResourcesForPerson(info.resources, info.resource_source);
  if (info.hours && !info.hours_text.empty() && !info.within_hours_now) {
    std::string out = "[Auto-reply shown on this device only; your message is still sent]\n";
    out += info.hours->auto_reply().empty()
               ? who + " is outside office hours right now and will read your message when back.\n"
               : SanitizeForTerminal(info.hours->auto_reply()) + "\n";
    if (!info.next_opening.empty()) out += "Office hours resume " + info.next_opening + ".\n";
    if (!info.expected_reply.empty()) out += info.expected_reply + "\n";
    return out + resources;
  }
  std::string out;
  if (now - previous_sent >= kConversationGapSeconds) {
    if (!info.expected_reply.empty()) out += who + ": " + info.expected_reply + "\n";
    out += resources;
  }
  return out;
}

}  // namespace attune::client
