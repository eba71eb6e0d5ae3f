#include "attune/therapy/check_in.h"

#include <algorithm>

#include "text_check.h"

namespace attune::therapy {

Result<CheckIn> CheckIn::Create(CheckInInput input) {
  auto bad = [](std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, "check-in: " + std::move(message));
  };
  if (input.mood && *input.mood > kMaxMood) return bad("mood must be 0..10");
  if (input.anxiety && *input.anxiety > kMaxAnxiety) return bad("anxiety must be 0..10");
  if (input.sleep_minutes && *input.sleep_minutes > kMaxSleepMinutes) {
    return bad("hours slept must be 0..24");
  }
  ATTUNE_RETURN_IF_ERROR(internal::CheckText("check-in note", input.note, kMaxNoteBytes,
                                             /*required=*/false, /*multiline=*/true));
  if (input.filled_at <= 0) return bad("missing the time it was filled in");
  if (input.utc_offset_seconds > kMaxUtcOffsetSeconds ||
      input.utc_offset_seconds < -kMaxUtcOffsetSeconds) {
    return bad("UTC offset out of range");
  }
  CheckIn c;
  for (const CheckInInput::Answers& a : input.instruments) {
    if (c.Find(a.instrument) != nullptr) {
      return bad(std::string(GetInstrument(a.instrument).short_name) + " answered twice");
    }
    ATTUNE_ASSIGN_OR_RETURN(ValidatedAnswers v,
                            ValidatedAnswers::Create(a.instrument, a.values, a.difficulty));
    c.instruments_.push_back(std::move(v));
  }
  // Canonical order (by instrument number) so equal check-ins compare equal
  // however they were entered.
  std::sort(c.instruments_.begin(), c.instruments_.end(),
            [](const ValidatedAnswers& a, const ValidatedAnswers& b) {
              return a.instrument() < b.instrument();
            });
  if (!input.mood && !input.anxiety && !input.sleep_minutes && input.note.empty() &&
      c.instruments_.empty() && !input.help_now) {
    return bad("nothing filled in");
  }
  c.mood_ = input.mood;
  c.anxiety_ = input.anxiety;
  c.sleep_minutes_ = input.sleep_minutes;
  c.note_ = std::move(input.note);
  c.filled_at_ = input.filled_at;
  c.utc_offset_seconds_ = input.utc_offset_seconds;
  c.help_now_ = input.help_now;
  c.schedule_message_id_ = input.schedule_message_id;
  // Canonical form: the sender's flag is kept only when the answers do not
  // already explain it, so a check-in survives encode/decode unchanged.
  c.urgent_claimed_ = input.urgent_claimed && !AssessRisk(c).urgent;
  return c;
}

const ValidatedAnswers* CheckIn::Find(InstrumentId id) const {
  for (const ValidatedAnswers& a : instruments_) {
    if (a.instrument() == id) return &a;
  }
  return nullptr;
}

RiskAssessment AssessRisk(const CheckIn& check_in) {
  RiskAssessment risk;
  for (const ValidatedAnswers& a : check_in.instruments()) {
    const std::optional<size_t> item = a.spec().self_harm_item;
    if (item && a.answers()[*item] > 0) risk.reasons |= kRiskSelfHarmItem;
  }
  if (check_in.help_now()) risk.reasons |= kRiskHelpNow;
  if (check_in.urgent_claimed()) risk.reasons |= kRiskSenderFlag;
  risk.urgent = risk.reasons != kRiskNone;
  return risk;
}

std::string DescribeRisk(const RiskAssessment& risk, const CheckIn& check_in) {
  std::string out;
  auto add = [&out](const std::string& s) {
    if (!out.empty()) out += "; ";
    out += s;
  };
  if (risk.reasons & kRiskSelfHarmItem) {
    const ValidatedAnswers* phq9 = check_in.Find(InstrumentId::kPhq9);
    const uint8_t value = phq9 != nullptr ? phq9->answers()[8] : 0;
    add("PHQ-9 item 9 (thoughts of death or self-harm) answered " + std::to_string(value) + " (" +
        std::string(GetInstrument(InstrumentId::kPhq9).options[value]) + ")");
  }
  if (risk.reasons & kRiskHelpNow) add("client chose \"I need help now\"");
  if ((risk.reasons & kRiskSenderFlag) && !(risk.reasons & (kRiskSelfHarmItem | kRiskHelpNow))) {
    add("marked urgent by the client's device");
  }
  return out;
}

std::string SummarizeCheckIn(const CheckIn& c) {
  std::string out = "check-in:";
  auto add = [&out](const std::string& s) { out += (out.back() == ':' ? " " : ", ") + s; };
  if (c.help_now()) add("I NEED HELP NOW");
  if (c.mood()) add("mood " + std::to_string(*c.mood()) + "/10");
  if (c.anxiety()) add("anxiety " + std::to_string(*c.anxiety()) + "/10");
  if (c.sleep_minutes()) {
    const uint32_t m = *c.sleep_minutes();
    add("slept " + std::to_string(m / 60) + ":" + (m % 60 < 10 ? "0" : "") +
        std::to_string(m % 60));
  }
  for (const ValidatedAnswers& a : c.instruments()) {
    const Score s = ScoreAnswers(a);
    add(std::string(a.spec().short_name) + " " + std::to_string(s.total) + " " +
        std::string(s.band));
  }
  if (!c.note().empty()) add("note");
  return out;
}

Result<uint32_t> ParseSleepHours(std::string_view text) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "hours slept: expected a number of hours 0..24 like 7, 7.5 or 7:30");
  };
  if (text.empty() || text.size() > 5) return bad();
  uint32_t hours = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    hours = hours * 10 + static_cast<uint32_t>(text[i] - '0');
  }
  if (i == 0) return bad();
  uint32_t minutes = 0;
  if (i < text.size()) {
    const char sep = text[i++];
    std::string_view frac = text.substr(i);
    if (frac.empty()) return bad();
    for (char c : frac) {
      if (c < '0' || c > '9') return bad();
    }
    if (sep == ':') {
      if (frac.size() != 2) return bad();
      minutes = static_cast<uint32_t>((frac[0] - '0') * 10 + (frac[1] - '0'));
      if (minutes > 59) return bad();
    } else if (sep == '.') {
      if (frac.size() > 2) return bad();
      // Hundredths of an hour, rounded to whole minutes.
      uint32_t hundredths = static_cast<uint32_t>(frac[0] - '0') * 10;
      if (frac.size() == 2) hundredths += static_cast<uint32_t>(frac[1] - '0');
      minutes = (hundredths * 60 + 50) / 100;
    } else {
      return bad();
    }
  }
  const uint32_t total = hours * 60 + minutes;
  if (hours > 24 || total > kMaxSleepMinutes) return bad();
  return total;
}

}  // namespace attune::therapy
