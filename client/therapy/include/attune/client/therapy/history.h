// The therapy view of one conversation's history: every text and check-in
// with its direction, time and flags, as shown by `attune checkins` and
// written by `attune export`. Built from stored messages by the CLI; pure
// data here, so rendering and export are testable without a database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "attune/therapy/check_in.h"
#include "attune/therapy/content.h"

namespace attune::therapy {

enum class HistoryDirection : uint8_t { kReceived = 0, kSent = 1 };

struct HistoryEntry {
  MessageId message_id{};
  HistoryDirection direction = HistoryDirection::kReceived;
  // This device's time for the message: receive time (received) or compose
  // time (sent), unix seconds.
  int64_t time = 0;
  // The sender's clock from the Content (informational).
  uint64_t sent_at = 0;
  std::variant<TextMessage, CheckIn> body{};
  // Check-ins: when the therapist acknowledged the urgent flag, if ever.
  std::optional<int64_t> acknowledged_at{};
  // Sent messages: whether a delivery receipt came back.
  bool delivered = false;

  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

struct ConversationExport {
  std::string contact{};    // this device's local name for the peer
  std::string self_role{};  // "therapist" or "client"
  int64_t exported_at = 0;
  std::vector<HistoryEntry> entries{};  // oldest first

  friend bool operator==(const ConversationExport&, const ConversationExport&) = default;
};

}  // namespace attune::therapy
