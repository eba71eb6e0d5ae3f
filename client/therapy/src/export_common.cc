#include "export_common.h"

#include <algorithm>

#include "attune/therapy/limits.h"

namespace attune::therapy::internal {

const char* DirectionName(HistoryDirection direction) {
  return direction == HistoryDirection::kSent ? "sent" : "received";
}

Result<HistoryDirection> ParseDirection(std::string_view text, const std::string& where) {
  if (text == "sent") return HistoryDirection::kSent;
  if (text == "received") return HistoryDirection::kReceived;
  return Bad(where + ": direction must be sent or received");
}

Result<MessageId> ParseIdHex(std::string_view hex, const std::string& where) {
  std::optional<Bytes> bytes = FromHex(hex);
  if (!bytes || bytes->size() != kMessageIdSize) {
    return Bad(where + ": message id must be 32 hex digits");
  }
  MessageId id;
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

Result<TextMessage> MakeText(std::string body, const std::string& where) {
  auto text = MakeTextMessage(std::move(body));
  if (!text.ok()) return Bad(where + ": " + text.error().message);
  return std::move(text).value();
}

}  // namespace attune::therapy::internal
