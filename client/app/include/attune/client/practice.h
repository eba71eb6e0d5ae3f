// What a client sees of the therapist's practice settings, and how those
// settings are put into words. Derived from the conversation (the newest
// schedule, office hours and resources message wins; docs/design/therapy.md,
// "State"), never from a table of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attune/therapy/content.h"
#include "attune/therapy/office_hours.h"

namespace attune::client {

// Which crisis resources a client is shown, and why.
enum class ResourceSource {
  kDefaultUs,  // the therapist set none: the default US set
  kClinic,     // the clinic's own set, as sent by the therapist
  // Shown before the profile is unlocked (the clinic's set is inside it):
  // the default US set, with the clinic's following once unlocked.
  kDefaultBeforeUnlock,
};

struct PracticeInfo {
  std::string therapist{};  // local name
  std::optional<therapy::OfficeHours> hours{};
  std::string hours_text{};      // "Mon-Fri 09:00-17:00 (Europe/Berlin)" or empty
  std::string expected_reply{};  // "Usually replies within 24 hours." or empty
  bool within_hours_now = false;
  std::string next_opening{};  // outside hours: "Mon 2026-03-09 09:00 (Europe/Berlin)"
  therapy::CrisisResourceSet resources = therapy::DefaultUsCrisisResources();
  ResourceSource resource_source = ResourceSource::kDefaultUs;
  // One sentence saying which set is shown and why.
  std::string resources_note{};
};

// A client's check-in due per one therapist's schedule.
struct DueCheckIn {
  std::string therapist{};
  std::string cadence{};  // "daily 20:00"
  std::string what{};     // "mood, anxiety, PHQ-9"
  bool due_now = false;
  std::string due_since{};  // due_now: "Tue 2026-03-10 20:00 (America/New_York)"
  std::string next_due{};   // otherwise
};

// What a client's check-in form asks (Engine::CheckInFormFor): the active
// schedule's daily items and questionnaires, or with no schedule the daily
// items alone; a check-in made from it names the schedule it answers.
struct CheckInForm {
  std::vector<therapy::CheckInItem> items{};
  std::vector<therapy::InstrumentId> instruments{};
  std::optional<therapy::MessageId> schedule_message_id{};
};

// What a settings push reached.
struct PushReport {
  size_t queued = 0;                                           // clients it was queued for
  std::vector<std::pair<std::string, std::string>> refused{};  // contact, why
  size_t sent = 0;
  size_t pending = 0;
  std::string pending_reason{};
};

// In words, for the person receiving it.
std::string DescribeSchedule(const therapy::CheckInSchedule& schedule);
std::string DescribeOfficeHours(const therapy::OfficeHours& hours);
std::string DescribeResources(const therapy::CrisisResourceSet& set);

// The crisis resources as lines for a terminal or a label, with a closing
// line that fits the set: "call 911 or call or text 988" only for the
// default US set; a clinic's set closes with its own first entry.
std::string FormatResourcesForPerson(const therapy::CrisisResourceSet& set, ResourceSource source);
// "If you are in danger now, do not wait for a reply: ..." for this set.
std::string DangerLine(const therapy::CrisisResourceSet& set);

}  // namespace attune::client
