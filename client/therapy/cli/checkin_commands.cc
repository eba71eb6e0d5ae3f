// Client side: `attune checkin THERAPIST` and `attune due`.
//
// Risk first: as soon as a check-in shows risk (PHQ-9 item 9 above 0 or
// "I need help now"), the crisis resources are printed — before the
// profile is touched when the answers came as flags, before anything is
// sent, and whether or not sending then works.
#include <iostream>
#include <optional>
#include <sstream>

#include "attune/client/content_view.h"
#include "attune/client/therapy/render.h"
#include "attune/client/therapy/tzif.h"
#include "attune/therapy/schedule.h"
#include "therapy_commands.h"
#include "therapy_state.h"

namespace attune::cli {
namespace {

namespace store = client::store;

constexpr int kMaxPromptAttempts = 5;

struct CheckInOptions {
  std::string therapist{};
  std::optional<uint32_t> mood{};
  std::optional<uint32_t> anxiety{};
  std::string sleep{};
  std::string note{};
  std::string phq9, gad7, phq2, gad2, phq8;
  std::optional<uint32_t> difficulty{};
  std::string instruments{};  // interactive: which questionnaires to ask
  bool help_now = false;

  bool AnyData() const {
    return mood || anxiety || !sleep.empty() || !note.empty() || !phq9.empty() || !gad7.empty() ||
           !phq2.empty() || !gad2.empty() || !phq8.empty() || help_now;
  }
};

void PrintCrisis(const therapy::CrisisResourceSet& resources) {
  std::cout << "\n*** Your answers suggest you may need support right now. ***\n"
            << therapy::FormatCrisisResources(resources)
            << "Your check-in is marked urgent for your therapist.\n\n"
            << std::flush;
}

// From flags; no profile needed. Throws CommandError for invalid answers
// (nothing is sent).
therapy::CheckInInput InputFromFlags(const CheckInOptions& o, int64_t now, int32_t offset) {
  therapy::CheckInInput in;
  in.mood = o.mood;
  in.anxiety = o.anxiety;
  if (!o.sleep.empty()) in.sleep_minutes = Take(therapy::ParseSleepHours(o.sleep));
  in.note = o.note;
  if (in.note == "-") {
    std::ostringstream all;
    all << std::cin.rdbuf();
    in.note = all.str();
    while (!in.note.empty() && in.note.back() == '\n') in.note.pop_back();
  }
  const std::pair<therapy::InstrumentId, const std::string*> lists[] = {
      {therapy::InstrumentId::kPhq9, &o.phq9},
      {therapy::InstrumentId::kGad7, &o.gad7},
      {therapy::InstrumentId::kPhq2, &o.phq2},
      {therapy::InstrumentId::kGad2, &o.gad2},
      {therapy::InstrumentId::kPhq8, &o.phq8}};
  for (const auto& [id, text] : lists) {
    if (text->empty()) continue;
    therapy::CheckInInput::Answers a{id, Take(therapy::ParseAnswerList(*text)), std::nullopt};
    if (o.difficulty &&
        (id == therapy::InstrumentId::kPhq9 || id == therapy::InstrumentId::kPhq8)) {
      a.difficulty = o.difficulty;
    }
    in.instruments.push_back(std::move(a));
  }
  in.filled_at = now;
  in.utc_offset_seconds = offset;
  in.help_now = o.help_now;
  return in;
}

// ---- interactive prompts (stdin, one answer per line) ----

std::optional<std::string> ReadLine(const std::string& prompt) {
  std::cout << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// A number in [0, max], or nullopt for a blank line when optional.
std::optional<uint32_t> AskNumber(const std::string& prompt, uint32_t max, bool optional) {
  for (int attempt = 0; attempt < kMaxPromptAttempts; ++attempt) {
    std::optional<std::string> line = ReadLine(prompt);
    if (!line) throw CommandError("input ended; nothing was sent");
    if (line->empty() && optional) return std::nullopt;
    if (!line->empty() && line->size() <= 2 &&
        line->find_first_not_of("0123456789") == std::string::npos) {
      const auto v = static_cast<uint32_t>(std::stoul(*line));
      if (v <= max) return v;
    }
    std::cout << "  Please enter a whole number from 0 to " << max
              << (optional ? " (or leave blank to skip)" : "") << ".\n";
  }
  throw CommandError("too many invalid answers; nothing was sent");
}

void AskInstrument(therapy::InstrumentId id, therapy::CheckInInput& in,
                   const therapy::CrisisResourceSet& resources, bool& crisis_shown) {
  const therapy::InstrumentSpec& spec = therapy::GetInstrument(id);
  std::cout << "\n" << spec.title << " (" << spec.short_name << ")\n" << spec.stem << "\n";
  for (size_t i = 0; i < spec.options.size(); ++i) {
    std::cout << "  " << i << " = " << spec.options[i] << "\n";
  }
  therapy::CheckInInput::Answers answers{id, {}, std::nullopt};
  uint32_t total = 0;
  for (size_t i = 0; i < spec.items.size(); ++i) {
    const std::string prompt = std::to_string(i + 1) + ". " + std::string(spec.items[i]) + ": ";
    const uint32_t v = *AskNumber(prompt, therapy::kMaxAnswerValue, false);
    answers.values.push_back(v);
    total += v;
    if (spec.self_harm_item == i && v > 0 && !crisis_shown) {
      PrintCrisis(resources);
      crisis_shown = true;
    }
  }
  if (!spec.difficulty_question.empty() && total > 0) {
    std::cout << spec.difficulty_question << "\n";
    for (size_t i = 0; i < spec.difficulty_options.size(); ++i) {
      std::cout << "  " << i << " = " << spec.difficulty_options[i] << "\n";
    }
    answers.difficulty = AskNumber("Difficulty (blank to skip): ", 3, true);
  }
  std::cout << spec.attribution << "\n";
  in.instruments.push_back(std::move(answers));
}

void Interactive(const std::vector<StoredContent>& conversation, const CheckInOptions& o,
                 therapy::CheckInInput& in) {
  const therapy::CrisisResourceSet resources = ResourcesFrom(conversation);
  bool crisis_shown = false;
  std::optional<std::string> help = ReadLine("Do you need help right now? [y/N]: ");
  if (!help) throw CommandError("input ended; nothing was sent");
  if (*help == "y" || *help == "Y" || *help == "yes") {
    in.help_now = true;
    PrintCrisis(resources);
    crisis_shown = true;
  }
  // Items and questionnaires: the therapist's schedule, else mood, anxiety,
  // sleep and note plus any --instruments.
  std::vector<therapy::CheckInItem> items = {
      therapy::CheckInItem::kMood, therapy::CheckInItem::kAnxiety, therapy::CheckInItem::kSleep,
      therapy::CheckInItem::kNote};
  std::vector<therapy::InstrumentId> instruments;
  if (const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, true)) {
    const auto& schedule = std::get<therapy::CheckInSchedule>(s->content.body);
    if (schedule.active) {
      items = schedule.items;
      instruments = schedule.instruments;
    }
  }
  if (!o.instruments.empty()) {
    instruments.clear();
    std::stringstream list(o.instruments);
    std::string name;
    while (std::getline(list, name, ',')) {
      instruments.push_back(Take(therapy::ParseInstrumentName(name)));
    }
  }
  for (therapy::CheckInItem item : items) {
    switch (item) {
      case therapy::CheckInItem::kMood:
        in.mood = AskNumber("Mood, 0 (worst) to 10 (best), blank to skip: ", 10, true);
        break;
      case therapy::CheckInItem::kAnxiety:
        in.anxiety = AskNumber("Anxiety, 0 (none) to 10 (worst), blank to skip: ", 10, true);
        break;
      case therapy::CheckInItem::kSleep: {
        for (int attempt = 0;; ++attempt) {
          std::optional<std::string> line =
              ReadLine("Hours slept last night (e.g. 7.5), blank to skip: ");
          if (!line) throw CommandError("input ended; nothing was sent");
          if (line->empty()) break;
          auto minutes = therapy::ParseSleepHours(*line);
          if (minutes.ok()) {
            in.sleep_minutes = *minutes;
            break;
          }
          if (attempt + 1 >= kMaxPromptAttempts) Fail(minutes.error());
          std::cout << "  " << minutes.error().message << "\n";
        }
        break;
      }
      case therapy::CheckInItem::kNote: {
        std::optional<std::string> line =
            ReadLine("A note for your therapist (one line, blank to skip): ");
        if (!line) throw CommandError("input ended; nothing was sent");
        in.note = *line;
        break;
      }
    }
  }
  for (therapy::InstrumentId id : instruments) AskInstrument(id, in, resources, crisis_shown);
}

void RunCheckIn(CliContext& ctx, const CheckInOptions& o) {
  const auto zone = DeviceZone();
  std::optional<therapy::CheckInInput> flag_input;
  std::optional<therapy::CheckIn> from_flags;
  if (o.AnyData()) {
    // Validate before anything else: invalid answers are an error and
    // nothing is sent or stored.
    const auto now = static_cast<int64_t>(client::SystemNow());
    flag_input = InputFromFlags(o, now, zone->OffsetAt(now));
    from_flags = Take(therapy::CheckIn::Create(*flag_input));
  }
  const bool urgent_before_open = from_flags && therapy::AssessRisk(*from_flags).urgent;
  client::Context* opened = nullptr;
  try {
    opened = &ctx.Open();
  } catch (const CommandError&) {
    // Even without the profile (wrong passphrase, damaged database) a
    // person at risk sees where to get help.
    if (urgent_before_open) PrintCrisis(therapy::DefaultUsCrisisResources());
    throw;
  }
  client::Context& c = *opened;
  RequireRole(c, client::Role::kClient, "checkin");
  const store::Contact contact = Take(store::GetContactByName(c.db(), o.therapist));
  const std::vector<StoredContent> conversation = Take(LoadConversation(c, contact.id));
  const therapy::CrisisResourceSet resources = ResourcesFrom(conversation);

  therapy::CheckInInput input;
  if (from_flags) {
    input = *flag_input;
    if (urgent_before_open) PrintCrisis(resources);
  } else {
    Interactive(conversation, o, input);
    const auto now = static_cast<int64_t>(c.now());
    input.filled_at = now;
    input.utc_offset_seconds = zone->OffsetAt(now);
  }
  if (const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, true)) {
    input.schedule_message_id = s->content.message_id;
  }
  therapy::CheckIn check_in = Take(therapy::CheckIn::Create(std::move(input)));
  const bool urgent = therapy::AssessRisk(check_in).urgent;
  // Interactive answers showed the resources the moment risk appeared.
  Take(QueueTherapyContent(c, contact.name, std::move(check_in)));
  FlushAndReport(c, std::string(urgent ? "Urgent check-in" : "Check-in") + " for " +
                        client::SanitizeForTerminal(contact.name));
  if (urgent) {
    std::cout
        << "If you are in danger now, do not wait for a reply: call 911 or call or text 988.\n";
  }
}

void RunDue(CliContext& ctx) {
  client::Context& c = ctx.Open();
  RequireRole(c, client::Role::kClient, "due");
  const auto contacts = Take(store::ListContacts(c.db()));
  const auto now = static_cast<int64_t>(c.now());
  bool any = false;
  for (const store::Contact& contact : contacts) {
    const std::vector<StoredContent> conversation = Take(LoadConversation(c, contact.id));
    const StoredContent* s = Latest<therapy::CheckInSchedule>(conversation, true);
    if (s == nullptr) continue;
    const auto& schedule = std::get<therapy::CheckInSchedule>(s->content.body);
    const std::string who = client::SanitizeForTerminal(contact.name);
    if (!schedule.active) continue;
    any = true;
    std::unique_ptr<therapy::TimeZoneRules> zone =
        schedule.time_zone.empty() ? DeviceZone() : ZoneNamed(schedule.time_zone);
    std::optional<int64_t> last_filled;
    for (const StoredContent& m : conversation) {
      if (const auto* ci = std::get_if<therapy::CheckIn>(&m.content.body); ci && !m.incoming()) {
        last_filled = std::max(last_filled.value_or(0), ci->filled_at());
      }
    }
    const therapy::DueStatus due =
        therapy::ComputeDue(schedule.cadence, *zone, s->record.created_at, last_filled, now);
    std::string what;
    for (therapy::CheckInItem item : schedule.items) {
      what += std::string(what.empty() ? "" : ", ") + therapy::CheckInItemName(item);
    }
    for (therapy::InstrumentId id : schedule.instruments) {
      what += std::string(what.empty() ? "" : ", ") +
              std::string(therapy::GetInstrument(id).short_name);
    }
    if (due.due_now) {
      std::cout << "DUE: check-in for " << who << " (" << what << "), due since "
                << FormatInZone(*zone, *due.due_since) << ". Run `attune checkin " << who << "`.\n";
    } else {
      std::cout << "Nothing due for " << who
                << ". Next check-in: " << FormatInZone(*zone, due.next_due) << " ("
                << schedule.cadence.ToString() << "; " << what << ").\n";
    }
  }
  if (!any) std::cout << "No check-in schedule from your therapist yet.\n";
}

}  // namespace

void RegisterCheckInCommands(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<CheckInOptions>();
  CLI::App* cmd = app.add_subcommand(
      "checkin",
      "Fill in a check-in for your therapist: interactive prompts, or the flags below for "
      "scripts. Crisis resources are shown at once if your answers show risk.");
  cmd->add_option("therapist", o->therapist, "Your therapist's contact name")->required();
  cmd->add_option("--mood", o->mood, "Mood, 0 (worst) to 10 (best)");
  cmd->add_option("--anxiety", o->anxiety, "Anxiety, 0 (none) to 10 (worst)");
  cmd->add_option("--sleep", o->sleep, "Hours slept, e.g. 7, 7.5 or 7:30");
  cmd->add_option("--note", o->note,
                  "A note; - reads it from standard input (arguments are visible to other "
                  "local users)");
  cmd->add_option("--phq9", o->phq9, "PHQ-9 answers, 9 numbers 0-3: 0,1,2,...");
  cmd->add_option("--phq9-difficulty", o->difficulty, "PHQ-9/PHQ-8 difficulty question, 0-3");
  cmd->add_option("--gad7", o->gad7, "GAD-7 answers, 7 numbers 0-3");
  cmd->add_option("--phq2", o->phq2, "PHQ-2 answers, 2 numbers 0-3");
  cmd->add_option("--gad2", o->gad2, "GAD-2 answers, 2 numbers 0-3");
  cmd->add_option("--phq8", o->phq8, "PHQ-8 answers, 8 numbers 0-3");
  cmd->add_option("--instruments", o->instruments,
                  "Interactive: questionnaires to ask, e.g. phq9,gad7 (default: your schedule's)");
  cmd->add_flag("--help-now", o->help_now,
                "I need help now: mark urgent and show crisis resources");
  cmd->callback([&ctx, o] { RunCheckIn(ctx, *o); });

  CLI::App* due = app.add_subcommand("due", "What is due per your therapist's check-in schedule");
  due->callback([&ctx] { RunDue(ctx); });
}

}  // namespace attune::cli
