// The check-ins of one conversation as rows a front end lists and charts:
// each with its scores, severity bands and urgent reason as the engine's
// rules (core/therapy scoring and AssessRisk) give them, so no front end
// scores or judges risk itself. Pure data, built from a ConversationExport.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attune/client/therapy/history.h"
#include "attune/therapy/scoring.h"

namespace attune::client {

struct CheckInRecord {
  therapy::MessageId message_id{};
  bool received = false;  // true: from the peer (a therapist's view of a client's check-in)
  int64_t time = 0;       // this device's time (receive or compose), unix seconds
  int64_t filled_at = 0;  // the sender's fill time, unix seconds
  int32_t utc_offset_seconds = 0;  // the sender's offset when filling it in
  std::optional<uint32_t> mood{};
  std::optional<uint32_t> anxiety{};
  std::optional<uint32_t> sleep_minutes{};
  std::string note{};
  bool help_now = false;
  std::vector<therapy::Score> scores{};  // one per instrument answered, in the sent order
  // Received check-ins only: urgent per AssessRisk, and why in words
  // ("PHQ-9 item 9 (thoughts of self-harm) answered 2").
  bool urgent = false;
  std::string risk{};
  std::optional<int64_t> acknowledged_at{};
  std::string summary{};  // SummarizeCheckIn

  // The score of `id`, if answered.
  const therapy::Score* Find(therapy::InstrumentId id) const;
  bool awaiting_acknowledgement() const { return urgent && !acknowledged_at.has_value(); }
};

// The check-ins of `conversation` (texts skipped), oldest first.
std::vector<CheckInRecord> CheckInRecords(const therapy::ConversationExport& conversation);

}  // namespace attune::client
