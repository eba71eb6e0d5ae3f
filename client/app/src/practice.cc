// Practice settings in words (issue 10, item 10: a person reads sentences,
// not "[office-hours]").
#include "attune/client/practice.h"

#include <cctype>

#include "attune/therapy/instrument.h"

namespace attune::client {
namespace {

std::string Action(const therapy::CrisisResource& r) {
  switch (r.kind) {
    case therapy::CrisisContactKind::kCall:
      return "call " + r.contact;
    case therapy::CrisisContactKind::kText:
      return "text " + r.contact;
    case therapy::CrisisContactKind::kCallOrText:
      return "call or text " + r.contact;
    case therapy::CrisisContactKind::kUrl:
      return "visit " + r.contact;
  }
  return r.contact;
}

// A note that starts with the action ("Call or text 988, any time") would
// repeat it: "call or text 988 — Call or text 988, any time". Keep the
// action and the rest of the note instead.
bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string ResourceLine(const therapy::CrisisResource& r) {
  const std::string action = Action(r);
  std::string body = action;
  if (StartsWithIgnoringCase(r.note, action)) {
    body += r.note.substr(action.size());
  } else if (!r.note.empty()) {
    body += " \u2014 " + r.note;
  }
  return "  * " + r.label + ": " + body + "\n";
}

}  // namespace

std::string DescribeSchedule(const therapy::CheckInSchedule& schedule) {
  if (!schedule.active) return "Your therapist stopped the scheduled check-ins.";
  std::string what;
  for (therapy::CheckInItem item : schedule.items) {
    what += std::string(what.empty() ? "" : ", ") + therapy::CheckInItemName(item);
  }
  for (therapy::InstrumentId id : schedule.instruments) {
    what +=
        std::string(what.empty() ? "" : ", ") + std::string(therapy::GetInstrument(id).short_name);
  }
  return "Check-ins are now asked " + schedule.cadence.ToString() + " (" +
         (schedule.time_zone.empty() ? std::string("your time zone") : schedule.time_zone) + ")" +
         (what.empty() ? "" : ": " + what) + ".";
}

std::string DescribeOfficeHours(const therapy::OfficeHours& hours) {
  std::string out = hours.windows().empty()
                        ? std::string("Your therapist set no office hours.")
                        : "Office hours are now " +
                              therapy::OfficeHours::FormatWindows(hours.windows()) + " (" +
                              hours.time_zone() + ").";
  const std::string reply = hours.ExpectedReplyLine();
  if (!reply.empty()) out += " " + reply;
  return out;
}

std::string DescribeResources(const therapy::CrisisResourceSet& set) {
  std::string names;
  for (const therapy::CrisisResource& r : set.resources()) {
    names += std::string(names.empty() ? "" : "; ") + r.label + " (" + Action(r) + ")";
  }
  return "Your therapist's crisis resources are now: " + names + ".";
}

std::string DangerLine(const therapy::CrisisResourceSet& set) {
  std::string actions;
  for (const therapy::CrisisResource& r : set.resources()) {
    if (r.kind == therapy::CrisisContactKind::kUrl) continue;
    actions += std::string(actions.empty() ? "" : " or ") + Action(r);
    if (actions.size() > 60) break;
  }
  if (actions.empty()) actions = Action(set.resources().front());
  return "If you are in danger now, do not wait for a reply: " + actions + ".";
}

std::string FormatResourcesForPerson(const therapy::CrisisResourceSet& set, ResourceSource source) {
  std::string out =
      "If you are in crisis or thinking about harming yourself, reach out now.\n"
      "Messaging your therapist is not an emergency service.\n";
  for (const therapy::CrisisResource& r : set.resources()) out += ResourceLine(r);
  switch (source) {
    case ResourceSource::kClinic:
      out += "(Your clinic's crisis resources, " + set.locale() + ".)\n";
      break;
    case ResourceSource::kDefaultUs:
      out += "(Default US crisis resources: your therapist has not set their own.)\n";
      break;
    case ResourceSource::kDefaultBeforeUnlock:
      out +=
          "(Default US crisis resources, shown before your profile is unlocked; your "
          "clinic's own list follows if it set one.)\n";
      break;
  }
  return out;
}

}  // namespace attune::client
