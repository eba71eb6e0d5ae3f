// Therapist side: `attune checkins CLIENT`, `attune ack CLIENT`,
// `attune schedule CLIENT ...`, `attune hours ...`, `attune resources ...`.
#include <iostream>
#include <sstream>

#include "attune/client/content_view.h"
#include "attune/client/practice.h"
#include "attune/client/therapy/render.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/schedule.h"
#include "therapy_commands.h"

namespace attune::cli {
namespace {

std::vector<std::string> SplitList(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) {
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

void RunCheckIns(CliContext& ctx, const std::string& name) {
  client::Engine& engine = ctx.Open();
  // Therapists see the check-ins they received; clients their own.
  const bool therapist = engine.account().role == client::Role::kTherapist;
  const auto wanted =
      therapist ? therapy::HistoryDirection::kReceived : therapy::HistoryDirection::kSent;
  therapy::ConversationExport conversation = Take(engine.ExportConversation(name));
  const std::string shown = client::SanitizeForTerminal(conversation.contact);
  std::vector<therapy::HistoryEntry> received;
  for (therapy::HistoryEntry& e : conversation.entries) {
    if (e.direction == wanted) received.push_back(std::move(e));
  }
  std::cout << (therapist ? "Check-ins from " : "Your check-ins for ") << shown << "\n\n"
            << therapy::RenderCheckInTable(received);
  for (const therapy::HistoryEntry& e : received) {
    const auto* ci = std::get_if<therapy::CheckIn>(&e.body);
    if (ci == nullptr) continue;
    const therapy::RiskAssessment risk = therapy::AssessRisk(*ci);
    if (therapist && risk.urgent && !e.acknowledged_at) {
      std::cout << "\nURGENT (" << therapy::FormatFilledAt(*ci)
                << "): " << therapy::DescribeRisk(risk, *ci) << "\n"
                << "  Acknowledge with `attune ack " << ShellWord(shown)
                << "` once you have responded.\n";
    }
  }
  std::cout << "\nPHQ and GAD-7: " << therapy::kPhqGadAttribution << "\n";
}

void RunAck(CliContext& ctx, const std::string& name) {
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kTherapist, "ack");
  const size_t count = Take(engine.AcknowledgeUrgent(name));
  std::cout << "Acknowledged " << count << " urgent check-in(s) from "
            << client::SanitizeForTerminal(name) << ".\n";
}

struct ScheduleOptions {
  std::string client{};
  std::string cadence{};
  std::string items = "mood,anxiety,sleep,note";
  std::string instruments{};
  std::string tz{};
  bool stop = false;
};

void RunSchedule(CliContext& ctx, const ScheduleOptions& o) {
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kTherapist, "schedule");
  therapy::CheckInSchedule schedule{
      {}, {}, Take(therapy::Cadence::Parse("daily 20:00")), o.tz, !o.stop};
  if (!o.stop) {
    if (o.cadence.empty()) throw CommandError("give a cadence, e.g. \"daily 20:00\", or --stop");
    schedule.cadence = Take(therapy::Cadence::Parse(o.cadence));
    for (const std::string& item : SplitList(o.items, ',')) {
      schedule.items.push_back(Take(therapy::ParseCheckInItem(item)));
    }
    for (const std::string& name : SplitList(o.instruments, ',')) {
      schedule.instruments.push_back(Take(therapy::ParseInstrumentName(name)));
    }
  }
  if (!o.tz.empty()) ZoneNamed(o.tz);  // must exist here too
  const client::PushReport report = Take(engine.SendSchedule(o.client, schedule));
  std::cout << (o.stop ? "Stopping check-ins for " : "Check-ins for ")
            << client::SanitizeForTerminal(o.client)
            << (o.stop ? "" : ": " + schedule.cadence.ToString()) << " ("
            << (o.tz.empty() ? "the client's own time zone" : o.tz) << ").\n";
  ReportPush(report, "Schedule");
}

struct HoursOptions {
  std::string windows{};
  std::string tz{};
  uint32_t reply_hours = 0;
  std::string reply_text{};
  std::string auto_reply{};
  std::string to{};
};

void PrintHours(const therapy::OfficeHours& h) {
  std::cout << "Office hours: " << therapy::OfficeHours::FormatWindows(h.windows()) << " ("
            << h.time_zone() << ")\n";
  const std::string reply = h.ExpectedReplyLine();
  if (!reply.empty()) std::cout << reply << "\n";
  if (!h.auto_reply().empty()) std::cout << "Auto-reply: " << h.auto_reply() << "\n";
}

void RunHours(CliContext& ctx, const HoursOptions& o) {
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kTherapist, "hours");
  if (o.windows.empty()) {
    const auto hours = Take(engine.OwnOfficeHours());
    if (hours) {
      PrintHours(*hours);
    } else {
      std::cout << "No office hours set (attune hours \"Mon-Fri 09:00-17:00\" --tz ZONE).\n";
    }
    return;
  }
  if (o.tz.empty()) throw CommandError("give your time zone with --tz, e.g. America/New_York");
  ZoneNamed(o.tz);
  auto windows = Take(therapy::OfficeHours::ParseWindows(o.windows));
  therapy::OfficeHours hours =
      Take(therapy::OfficeHours::Create(windows, o.tz, o.reply_hours, o.reply_text, o.auto_reply));
  const client::PushReport report = Take(engine.SetOfficeHours(hours, o.to));
  PrintHours(hours);
  ReportPush(report, "Office hours");
}

struct ResourcesOptions {
  std::vector<std::string> resources{};
  std::string locale = "en-US";
  bool default_us = false;
  std::string to{};
};

void RunResources(CliContext& ctx, const ResourcesOptions& o) {
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kTherapist, "resources");
  if (o.resources.empty() && !o.default_us) {
    const auto own = Take(engine.OwnCrisisResources());
    if (own) {
      std::cout << "Your clients see your clinic's crisis resources (" << own->locale()
                << "), which replace the default US set:\n"
                << client::FormatResourcesForPerson(*own, client::ResourceSource::kClinic);
    } else {
      std::cout << "You set no crisis resources, so your clients see the default US set:\n"
                << client::FormatResourcesForPerson(therapy::DefaultUsCrisisResources(),
                                                    client::ResourceSource::kDefaultUs);
    }
    return;
  }
  therapy::CrisisResourceSet set = therapy::DefaultUsCrisisResources();
  if (!o.default_us) {
    std::vector<therapy::CrisisResource> list;
    for (const std::string& spec : o.resources) {
      // "label|contact|kind|note" (note optional).
      std::vector<std::string> parts;
      std::stringstream in(spec);
      std::string part;
      while (std::getline(in, part, '|')) parts.push_back(part);
      if (parts.size() < 3 || parts.size() > 4) {
        throw CommandError(
            "--resource takes \"label|contact|kind|note\" (kind: call, text, "
            "call-or-text, url)");
      }
      list.push_back(therapy::CrisisResource{parts[0], parts[1],
                                             Take(therapy::ParseCrisisContactKind(parts[2])),
                                             parts.size() == 4 ? parts[3] : ""});
    }
    set = Take(therapy::CrisisResourceSet::Create(o.locale, std::move(list)));
  }
  const client::PushReport report = Take(engine.SetCrisisResources(set, o.to));
  std::cout << client::FormatResourcesForPerson(
      set, o.default_us ? client::ResourceSource::kDefaultUs : client::ResourceSource::kClinic);
  if (!o.default_us) {
    std::cout << "Your clients now see this list instead of the default US set.\n";
  }
  ReportPush(report, "Crisis resources");
}

}  // namespace

void RegisterPracticeCommands(CLI::App& app, CliContext& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* checkins = app.add_subcommand(
      "checkins", "A client's check-ins over time: totals, bands, urgent flags, sparklines");
  checkins->add_option("client", *name, "Client's contact name")->required();
  checkins->callback([&ctx, name] { RunCheckIns(ctx, *name); });

  auto ack_name = std::make_shared<std::string>();
  CLI::App* ack = app.add_subcommand(
      "ack", "Acknowledge a client's urgent check-ins (they stay first in the inbox until then)");
  ack->add_option("client", *ack_name, "Client's contact name")->required();
  ack->callback([&ctx, ack_name] { RunAck(ctx, *ack_name); });

  auto so = std::make_shared<ScheduleOptions>();
  CLI::App* schedule = app.add_subcommand(
      "schedule",
      "Ask a client for check-ins on a cadence like \"daily 20:00\" or \"Mon, Thu 09:00\"");
  schedule->add_option("client", so->client, "Client's contact name")->required();
  schedule->add_option("cadence", so->cadence, "When, in the client's local time");
  schedule->add_option("--items", so->items,
                       "Single items: mood,anxiety,sleep,note (default: all)");
  schedule->add_option("--instruments", so->instruments, "Questionnaires, e.g. phq9,gad7");
  schedule->add_option("--tz", so->tz,
                       "The client's time zone, e.g. America/New_York (default: their device's)");
  schedule->add_flag("--stop", so->stop, "Stop asking for check-ins");
  schedule->callback([&ctx, so] { RunSchedule(ctx, *so); });

  auto ho = std::make_shared<HoursOptions>();
  CLI::App* hours = app.add_subcommand(
      "hours", "Show or set your office hours and expected reply time (sent to your clients)");
  hours->add_option("windows", ho->windows, "e.g. \"Mon-Fri 09:00-17:00; Sat 10:00-12:00\"");
  hours->add_option("--tz", ho->tz, "Your time zone, e.g. Europe/Berlin");
  hours->add_option("--reply-hours", ho->reply_hours, "Usual reply time in hours")
      ->check(CLI::Range(0, 720));
  hours->add_option("--reply-text", ho->reply_text, "Usual reply time in words");
  hours->add_option("--auto-reply", ho->auto_reply,
                    "Text your clients' devices show when they write outside these hours");
  hours->add_option("--to", ho->to, "Send to this client only (default: all)");
  hours->callback([&ctx, ho] { RunHours(ctx, *ho); });

  auto ro = std::make_shared<ResourcesOptions>();
  CLI::App* resources = app.add_subcommand(
      "resources", "Show or set the crisis resources your clients see (default: US set)");
  resources->add_option("--resource", ro->resources,
                        "\"label|contact|kind|note\", kind = call, text, call-or-text or url; "
                        "repeat for each");
  resources->add_option("--locale", ro->locale, "BCP 47 locale of the set (default en-US)");
  resources->add_flag("--default-us", ro->default_us, "Send the default US set");
  resources->add_option("--to", ro->to, "Send to this client only (default: all)");
  resources->callback([&ctx, ro] { RunResources(ctx, *ro); });
}

}  // namespace attune::cli
