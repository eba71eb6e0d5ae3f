#include "attune/client/therapy/check_in_card.h"

#include "attune/client/therapy/render.h"
#include "attune/therapy/instrument.h"
#include "attune/therapy/scoring.h"

namespace attune::therapy {
namespace {

// Notes are shown in full in the check-ins window; the card keeps to a glance.
constexpr size_t kCardNoteChars = 160;

std::string OutOfTen(uint32_t value) { return std::to_string(value) + " of 10"; }

std::string SleepText(uint32_t minutes) {
  std::string out = std::to_string(minutes / 60) + " h";
  if (minutes % 60 != 0) out += " " + std::to_string(minutes % 60) + " min";
  return out;
}

std::string ScoreText(const Score& s) {
  std::string out = std::to_string(s.total) + " of " + std::to_string(s.max_total);
  if (!s.band.empty()) out += " · " + std::string(s.band);
  return out;
}

}  // namespace

CheckInCard DescribeCheckInCard(const CheckIn& check_in) {
  CheckInCard card;
  const RiskAssessment risk = AssessRisk(check_in);
  card.urgent = risk.urgent;
  if (risk.urgent) card.risk = DescribeRisk(risk, check_in);
  card.title = risk.urgent ? "Urgent check-in" : "Check-in";
  if (check_in.help_now()) card.title += ": I need help now";
  card.filled_at = FormatFilledAt(check_in);
  if (check_in.mood()) card.lines.push_back({"Mood", OutOfTen(*check_in.mood()), false});
  if (check_in.anxiety()) card.lines.push_back({"Anxiety", OutOfTen(*check_in.anxiety()), false});
  if (check_in.sleep_minutes()) {
    card.lines.push_back({"Sleep", SleepText(*check_in.sleep_minutes()), false});
  }
  for (const ValidatedAnswers& a : check_in.instruments()) {
    const InstrumentSpec& spec = a.spec();
    const bool self_harm = spec.self_harm_item.has_value() &&
                           *spec.self_harm_item < a.answers().size() &&
                           a.answers()[*spec.self_harm_item] > 0;
    card.lines.push_back({std::string(spec.short_name), ScoreText(ScoreAnswers(a)),
                          (risk.reasons & kRiskSelfHarmItem) && self_harm});
  }
  if (!check_in.note().empty()) {
    card.lines.push_back({"Note", TruncateText(check_in.note(), kCardNoteChars), false});
  }
  return card;
}

std::string CheckInCardText(const CheckInCard& card) {
  std::string out = card.title;
  if (!card.filled_at.empty()) out += ", filled in " + card.filled_at;
  for (const CheckInCardLine& line : card.lines) out += "\n" + line.label + ": " + line.value;
  if (card.urgent) out += "\nNeeds attention: " + card.risk;
  return out;
}

}  // namespace attune::therapy
