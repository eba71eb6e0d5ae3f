// A between-session check-in as a validated domain value, and its risk.
//
// Built once from user input (CheckInInput) or from a received message
// (content.h); a CheckIn cannot hold an out-of-range value, so renderers,
// exporters and the store never re-check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/therapy/limits.h"
#include "attune/therapy/scoring.h"

namespace attune::therapy {

using MessageId = ByteArray<kMessageIdSize>;

// Unchecked fields as typed or decoded.
struct CheckInInput {
  std::optional<uint32_t> mood{};
  std::optional<uint32_t> anxiety{};
  std::optional<uint32_t> sleep_minutes{};
  std::string note{};
  struct Answers {
    InstrumentId instrument{};
    std::vector<uint32_t> values{};
    std::optional<uint32_t> difficulty{};
  };
  std::vector<Answers> instruments{};
  int64_t filled_at = 0;
  int32_t utc_offset_seconds = 0;
  bool help_now = false;
  // The sender's own risk verdict (received only). Kept only if the answers
  // and help_now do not explain it (see urgent_claimed()).
  bool urgent_claimed = false;
  std::optional<MessageId> schedule_message_id{};
};

class CheckIn {
 public:
  // kInvalidArgument naming the field: mood/anxiety above 10, sleep above
  // 24 h, note over kMaxNoteBytes or not UTF-8, an instrument listed twice,
  // answers failing ValidatedAnswers::Create, filled_at <= 0, an offset
  // beyond kMaxUtcOffsetSeconds, or nothing filled in at all.
  static Result<CheckIn> Create(CheckInInput input);

  std::optional<uint32_t> mood() const { return mood_; }
  std::optional<uint32_t> anxiety() const { return anxiety_; }
  std::optional<uint32_t> sleep_minutes() const { return sleep_minutes_; }
  const std::string& note() const { return note_; }
  const std::vector<ValidatedAnswers>& instruments() const { return instruments_; }
  const ValidatedAnswers* Find(InstrumentId id) const;
  int64_t filled_at() const { return filled_at_; }
  int32_t utc_offset_seconds() const { return utc_offset_seconds_; }
  bool help_now() const { return help_now_; }
  // True only when the sender flagged it urgent for a reason this device's
  // rules do not see (e.g. a newer rule on the sender's side).
  bool urgent_claimed() const { return urgent_claimed_; }
  const std::optional<MessageId>& schedule_message_id() const { return schedule_message_id_; }

  friend bool operator==(const CheckIn&, const CheckIn&) = default;

 private:
  CheckIn() = default;
  std::optional<uint32_t> mood_{};
  std::optional<uint32_t> anxiety_{};
  std::optional<uint32_t> sleep_minutes_{};
  std::string note_{};
  std::vector<ValidatedAnswers> instruments_{};
  int64_t filled_at_ = 0;
  int32_t utc_offset_seconds_ = 0;
  bool help_now_ = false;
  bool urgent_claimed_ = false;
  std::optional<MessageId> schedule_message_id_{};
};

enum RiskReason : uint8_t {
  kRiskNone = 0,
  kRiskSelfHarmItem = 1 << 0,  // PHQ-9 item 9 answered above 0
  kRiskHelpNow = 1 << 1,       // the client chose "I need help now"
  kRiskSenderFlag = 1 << 2,    // the sender marked it urgent (received)
};

struct RiskAssessment {
  bool urgent = false;
  uint8_t reasons = kRiskNone;  // RiskReason bits
};

// Urgent if PHQ-9 item 9 > 0, help_now, or the sender's own flag. PHQ-8
// has no item 9 by design (for clinics that cannot follow up on it).
RiskAssessment AssessRisk(const CheckIn& check_in);

// "PHQ-9 item 9 (thoughts of self-harm) answered 2; \"I need help now\"".
std::string DescribeRisk(const RiskAssessment& risk, const CheckIn& check_in);

// One line for inbox listings: "check-in: mood 3/10, anxiety 7/10, slept
// 5:30, PHQ-9 10 Moderate, note" (only what is present).
std::string SummarizeCheckIn(const CheckIn& check_in);

// Parses hours slept as typed: "7", "7.5", "7:30". kInvalidArgument on
// anything else or above 24 h. Returns minutes.
Result<uint32_t> ParseSleepHours(std::string_view text);

}  // namespace attune::therapy
