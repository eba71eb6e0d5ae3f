// Therapist side: `attune checkins CLIENT`, `attune ack CLIENT`,
// `attune schedule CLIENT ...`, `attune hours ...`, `attune resources ...`,
// and the check-in-aware export used by `attune export`.
#include <iostream>
#include <sstream>

#include "attune/client/content_view.h"
#include "attune/client/therapy/export.h"
#include "attune/client/therapy/render.h"
#include "attune/therapy/schedule.h"
#include "therapy_commands.h"
#include "therapy_export.h"
#include "therapy_state.h"

namespace attune::cli {
namespace {

namespace store = client::store;

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

// Sends body to `to`, or to every contact when `to` is empty.
void SendToClients(client::Context& c, const std::string& to, const therapy::ContentBody& body,
                   const std::string& what) {
  std::vector<std::string> names;
  if (!to.empty()) {
    names.push_back(to);
  } else {
    for (const store::Contact& contact : Take(store::ListContacts(c.db()))) {
      names.push_back(contact.name);
    }
  }
  size_t queued = 0;
  for (const std::string& name : names) {
    auto r = QueueTherapyContent(c, name, body);
    if (!r.ok()) {
      std::cerr << "attune: not sent to " << client::SanitizeForTerminal(name) << ": "
                << r.error().message << "\n";
      continue;
    }
    ++queued;
  }
  if (queued == 0) {
    std::cout << "No clients to send the " << what << " to yet.\n";
    return;
  }
  FlushAndReport(c, what + " for " + std::to_string(queued) + " client(s)");
}

void RunCheckIns(CliContext& ctx, const std::string& name) {
  client::Context& c = ctx.Open();
  const store::Contact contact = Take(store::GetContactByName(c.db(), name));
  // Therapists see the check-ins they received; clients their own.
  const bool therapist = Take(client::LoadAccount(c.db())).role == client::Role::kTherapist;
  const auto wanted =
      therapist ? therapy::HistoryDirection::kReceived : therapy::HistoryDirection::kSent;
  therapy::ConversationExport conversation = Take(BuildConversationExport(c, contact));
  std::vector<therapy::HistoryEntry> received;
  for (therapy::HistoryEntry& e : conversation.entries) {
    if (e.direction == wanted) received.push_back(std::move(e));
  }
  std::cout << (therapist ? "Check-ins from " : "Your check-ins for ")
            << client::SanitizeForTerminal(contact.name) << "\n\n"
            << therapy::RenderCheckInTable(received);
  for (const therapy::HistoryEntry& e : received) {
    const auto* ci = std::get_if<therapy::CheckIn>(&e.body);
    if (ci == nullptr) continue;
    const therapy::RiskAssessment risk = therapy::AssessRisk(*ci);
    if (therapist && risk.urgent && !e.acknowledged_at) {
      std::cout << "\nURGENT (" << therapy::FormatFilledAt(*ci)
                << "): " << therapy::DescribeRisk(risk, *ci) << "\n"
                << "  Acknowledge with `attune ack " << client::SanitizeForTerminal(contact.name)
                << "` once you have responded.\n";
    }
  }
  std::cout << "\nPHQ and GAD-7: " << therapy::kPhqGadAttribution << "\n";
}

void RunAck(CliContext& ctx, const std::string& name) {
  client::Context& c = ctx.Open();
  RequireRole(c, client::Role::kTherapist, "ack");
  const store::Contact contact = Take(store::GetContactByName(c.db(), name));
  const auto conversation = Take(LoadConversation(c, contact.id));
  size_t count = 0;
  auto tx = Take(store::Transaction::Begin(c.db()));
  for (const StoredContent& m : conversation) {
    if (!IsUrgentCheckIn(m)) continue;
    if (Take(AcknowledgedAt(c.db(), m.content.message_id))) continue;
    Check(Acknowledge(c.db(), m.content.message_id, static_cast<int64_t>(c.now())));
    ++count;
  }
  Check(tx.Commit());
  std::cout << "Acknowledged " << count << " urgent check-in(s) from "
            << client::SanitizeForTerminal(contact.name) << ".\n";
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
  client::Context& c = ctx.Open();
  RequireRole(c, client::Role::kTherapist, "schedule");
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
  Take(QueueTherapyContent(c, o.client, schedule));
  std::cout << (o.stop ? "Stopping check-ins for " : "Check-ins for ")
            << client::SanitizeForTerminal(o.client)
            << (o.stop ? "" : ": " + schedule.cadence.ToString()) << " ("
            << (o.tz.empty() ? "the client's own time zone" : o.tz) << ").\n";
  FlushAndReport(c, "Schedule");
}

struct HoursOptions {
  std::string windows{};
  std::string tz{};
  uint32_t reply_hours = 0;
  std::string reply_text{};
  std::string auto_reply{};
  std::string to{};
};

void ShowSetting(client::Context& c, std::string_view key, const char* none) {
  auto value = Take(store::GetSetting(c.db(), key));
  if (!value) {
    std::cout << none << "\n";
    return;
  }
  auto content = Take(therapy::ParseContent(*value));
  if (const auto* h = std::get_if<therapy::OfficeHours>(&content.body)) {
    std::cout << "Office hours: " << therapy::OfficeHours::FormatWindows(h->windows()) << " ("
              << h->time_zone() << ")\n";
    const std::string reply = h->ExpectedReplyLine();
    if (!reply.empty()) std::cout << reply << "\n";
    if (!h->auto_reply().empty()) std::cout << "Auto-reply: " << h->auto_reply() << "\n";
  } else if (const auto* r = std::get_if<therapy::CrisisResourceSet>(&content.body)) {
    std::cout << "Crisis resources (" << r->locale() << "):\n"
              << therapy::FormatCrisisResources(*r);
  }
}

void RunHours(CliContext& ctx, const HoursOptions& o) {
  client::Context& c = ctx.Open();
  RequireRole(c, client::Role::kTherapist, "hours");
  if (o.windows.empty()) {
    ShowSetting(c, kOfficeHoursSetting,
                "No office hours set (attune hours \"Mon-Fri 09:00-17:00\" --tz ZONE).");
    return;
  }
  if (o.tz.empty()) throw CommandError("give your time zone with --tz, e.g. America/New_York");
  ZoneNamed(o.tz);
  auto windows = Take(therapy::OfficeHours::ParseWindows(o.windows));
  therapy::OfficeHours hours =
      Take(therapy::OfficeHours::Create(windows, o.tz, o.reply_hours, o.reply_text, o.auto_reply));
  const therapy::ValidatedContent content = therapy::NewContent(c.random, c.now(), hours);
  Check(store::PutSetting(c.db(), kOfficeHoursSetting, therapy::SerializeContent(content)));
  std::cout << "Office hours: " << therapy::OfficeHours::FormatWindows(hours.windows()) << " ("
            << hours.time_zone() << ")\n";
  SendToClients(c, o.to, hours, "Office hours");
}

struct ResourcesOptions {
  std::vector<std::string> resources{};
  std::string locale = "en-US";
  bool default_us = false;
  std::string to{};
};

void RunResources(CliContext& ctx, const ResourcesOptions& o) {
  client::Context& c = ctx.Open();
  RequireRole(c, client::Role::kTherapist, "resources");
  if (o.resources.empty() && !o.default_us) {
    ShowSetting(c, kResourcesSetting, "");
    if (!Take(store::GetSetting(c.db(), kResourcesSetting))) {
      std::cout << "Your clients see the default US crisis resources:\n"
                << therapy::FormatCrisisResources(therapy::DefaultUsCrisisResources());
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
  const therapy::ValidatedContent content = therapy::NewContent(c.random, c.now(), set);
  Check(store::PutSetting(c.db(), kResourcesSetting, therapy::SerializeContent(content)));
  std::cout << therapy::FormatCrisisResources(set);
  SendToClients(c, o.to, set, "Crisis resources");
}

}  // namespace

void WriteTherapyExport(CliContext& ctx, const std::string& name, const std::string& format,
                        std::ostream& out) {
  if (format != "json" && format != "csv") throw CommandError("--format must be json or csv");
  client::Context& c = ctx.Open();
  const store::Contact contact = Take(store::GetContactByName(c.db(), name));
  const therapy::ConversationExport conversation = Take(BuildConversationExport(c, contact));
  out << (format == "json" ? therapy::ExportJson(conversation) : therapy::ExportCsv(conversation));
}

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
