#include "export_common.h"

#include <algorithm>

#include "attune/therapy/civil_time.h"
#include "attune/therapy/limits.h"

namespace attune::therapy::internal {

std::string IsoTime(int64_t unix_seconds, int32_t utc_offset_seconds) {
  const int64_t local = unix_seconds + utc_offset_seconds;
  const LocalTime t{local};
  const int64_t second_of_day = local - DayOf(t) * kSecondsPerDay;
  std::string date = FormatLocalMinute(t);  // "YYYY-MM-DD HH:MM"
  date[10] = 'T';
  const auto sec = static_cast<int>(((second_of_day % 60) + 60) % 60);
  date +=
      ":" + std::string(1, static_cast<char>('0' + sec / 10)) + static_cast<char>('0' + sec % 10);
  if (utc_offset_seconds == 0) return date + "Z";
  const int32_t magnitude = utc_offset_seconds < 0 ? -utc_offset_seconds : utc_offset_seconds;
  auto two = [](int v) {
    return std::string(1, static_cast<char>('0' + (v / 10) % 10)) + static_cast<char>('0' + v % 10);
  };
  return date + (utc_offset_seconds < 0 ? "-" : "+") + two(magnitude / 3600) + ":" +
         two((magnitude / 60) % 60);
}

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
