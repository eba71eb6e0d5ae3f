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
#include "attune/client/practice.h"
#include "attune/client/therapy/render.h"
#include "attune/client/therapy/tzif.h"
#include "attune/client/therapy_state.h"
#include "attune/therapy/instrument.h"
#include "attune/therapy/schedule.h"
#include "therapy_commands.h"

namespace attune::cli {
namespace {

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

void PrintCrisis(const client::PracticeInfo& info) {
  std::cout << "\n*** Your answers suggest you may need support right now. ***\n"
            << client::FormatResourcesForPerson(info.resources, info.resource_source)
            << "Your check-in is marked urgent for your therapist.\n\n"
            << std::flush;
}

// Before the passphrase prompt: the resources must not wait for Argon2.
void PrintCrisisBeforeUnlock() {
  std::cout << "\n*** If you need help now, you do not have to wait. ***\n"
            << client::FormatResourcesForPerson(therapy::DefaultUsCrisisResources(),
                                                client::ResourceSource::kDefaultBeforeUnlock)
            << "\n"
            << std::flush;
}

// Answers parsed from a flag, naming the questionnaire in any error.
std::vector<uint32_t> AnswersFromFlag(therapy::InstrumentId id, const std::string& text) {
  auto values = therapy::ParseAnswerList(text);
  if (!values.ok()) {
    const therapy::InstrumentSpec& spec = therapy::GetInstrument(id);
    throw CommandError(std::string(spec.short_name) + ": " + values.error().message + " (give " +
                       std::to_string(spec.items.size()) +
                       " numbers from 0 to 3 separated by commas)");
  }
  return std::move(values).value();
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
    therapy::CheckInInput::Answers a{id, AnswersFromFlag(id, *text), std::nullopt};
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
                   const client::PracticeInfo& resources, bool& crisis_shown) {
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

void Interactive(const client::PracticeInfo& resources,
                 const std::optional<therapy::ValidatedContent>& active, const CheckInOptions& o,
                 therapy::CheckInInput& in) {
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
  if (active) {
    const auto& schedule = std::get<therapy::CheckInSchedule>(active->body);
    items = schedule.items;
    instruments = schedule.instruments;
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
  const auto zone = client::DeviceZone();
  std::optional<therapy::CheckInInput> flag_input;
  std::optional<therapy::CheckIn> from_flags;
  // "I need help now" is answered before anything else, even before the
  // passphrase prompt.
  if (o.help_now) PrintCrisisBeforeUnlock();
  if (o.AnyData()) {
    // Validate before anything else: invalid answers are an error and
    // nothing is sent or stored.
    const auto now = static_cast<int64_t>(client::SystemNow());
    flag_input = InputFromFlags(o, now, zone->OffsetAt(now));
    from_flags = Take(therapy::CheckIn::Create(*flag_input));
  }
  const bool urgent_before_open = from_flags && therapy::AssessRisk(*from_flags).urgent;
  if (urgent_before_open && !o.help_now) PrintCrisisBeforeUnlock();
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kClient, "checkin");
  const client::PracticeInfo info = Take(engine.PracticeInfoFor(o.therapist));
  const auto active = Take(engine.ActiveSchedule(o.therapist));

  therapy::CheckInInput input;
  if (from_flags) {
    input = *flag_input;
    // The default set is already on screen; the clinic's own follows.
    if (urgent_before_open && info.resource_source == client::ResourceSource::kClinic) {
      PrintCrisis(info);
    }
  } else {
    Interactive(info, active, o, input);
    const auto now = static_cast<int64_t>(client::SystemNow());
    input.filled_at = now;
    input.utc_offset_seconds = zone->OffsetAt(now);
  }
  if (active) input.schedule_message_id = active->message_id;
  therapy::CheckIn check_in = Take(therapy::CheckIn::Create(std::move(input)));
  const bool urgent = therapy::AssessRisk(check_in).urgent;
  // Interactive answers showed the resources the moment risk appeared.
  const client::SendResult sent = Take(engine.SendCheckIn(o.therapist, std::move(check_in)));
  const std::string what = std::string(urgent ? "Urgent check-in" : "Check-in") + " for " +
                           client::SanitizeForTerminal(o.therapist);
  if (sent.uploaded) {
    std::cout << what << " sent.\n";
  } else {
    std::cout << what << " saved and queued ("
              << (sent.pending_reason.empty() ? "relay not reachable" : sent.pending_reason)
              << "); `attune sync` will send it.\n";
  }
  if (urgent) std::cout << client::DangerLine(info.resources) << "\n";
}

void RunDue(CliContext& ctx) {
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kClient, "due");
  const auto due = Take(engine.DueCheckIns());
  for (const client::DueCheckIn& d : due) {
    const std::string who = client::SanitizeForTerminal(d.therapist);
    if (d.due_now) {
      std::cout << "DUE: check-in for " << who << " (" << d.what << "), due since " << d.due_since
                << ". Run `attune checkin " << ShellWord(who) << "`.\n";
    } else {
      std::cout << "Nothing due for " << who << ". Next check-in: " << d.next_due << " ("
                << d.cadence << "; " << d.what << ").\n";
    }
  }
  if (due.empty()) std::cout << "No check-in schedule from your therapist yet.\n";
}

void RunPractice(CliContext& ctx, const std::string& therapist) {
  client::Engine& engine = ctx.Open();
  RequireRole(engine, client::Role::kClient, "practice");
  std::vector<std::string> names;
  if (!therapist.empty()) {
    names.push_back(therapist);
  } else {
    for (const client::ContactView& c : Take(engine.Contacts())) names.push_back(c.name);
  }
  if (names.empty()) std::cout << "No therapist yet (pair with `attune accept CODE`).\n";
  for (const std::string& name : names) {
    const client::PracticeInfo info = Take(engine.PracticeInfoFor(name));
    const std::string who = client::SanitizeForTerminal(info.therapist);
    std::cout << who << "\n";
    if (info.hours_text.empty()) {
      std::cout << "  Office hours: not set\n";
    } else {
      std::cout << "  Office hours: " << client::SanitizeForTerminal(info.hours_text)
                << (info.within_hours_now ? " (open now)" : "") << "\n";
      if (!info.next_opening.empty()) std::cout << "  Next open: " << info.next_opening << "\n";
    }
    std::cout << "  Reply time: "
              << (info.expected_reply.empty() ? std::string("not stated")
                                              : client::SanitizeForTerminal(info.expected_reply))
              << "\n"
              << client::SanitizeForTerminal(info.resources_note) << "\n"
              << client::SanitizeForTerminal(
                     client::FormatResourcesForPerson(info.resources, info.resource_source));
  }
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

  auto who = std::make_shared<std::string>();
  CLI::App* practice = app.add_subcommand(
      "practice",
      "Your therapist's office hours, expected reply time and crisis resources, any time");
  practice->add_option("therapist", *who, "Your therapist's contact name (default: all)");
  practice->callback([&ctx, who] { RunPractice(ctx, *who); });
}

}  // namespace attune::cli
