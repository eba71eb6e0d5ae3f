// Internal helpers shared by the JSON and CSV exporters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "attune/base/result.h"
#include "attune/client/therapy/history.h"

namespace attune::therapy::internal {

inline Error Bad(const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "bad export: " + why);
}

const char* DirectionName(HistoryDirection direction);
Result<HistoryDirection> ParseDirection(std::string_view text, const std::string& where);
Result<MessageId> ParseIdHex(std::string_view hex, const std::string& where);
// ISO 8601 with the offset: "2026-03-10T20:05:00-05:00" (or "...Z" for 0).
std::string IsoTime(int64_t unix_seconds, int32_t utc_offset_seconds);
// A text body under the same rules as a received one.
Result<TextMessage> MakeText(std::string body, const std::string& where);

}  // namespace attune::therapy::internal
