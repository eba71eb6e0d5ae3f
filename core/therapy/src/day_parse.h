// Internal: the day-list and clock-time grammar shared by cadences and
// office-hours windows (docs/design/therapy.md, "Cadence grammar").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/result.h"

namespace attune::therapy::internal {

// Splits on spaces and commas; empty tokens are dropped.
std::vector<std::string_view> Tokenize(std::string_view text);

// True if the token looks like a clock time (starts with a digit).
bool LooksLikeTime(std::string_view token);

// Folds the day tokens ("daily", "weekdays", "weekends", "Mon", "Tuesday",
// "Mon-Fri") into a mask with bit d set for ISO weekday d (1..7).
// kInvalidArgument on unknown names, repeats, or "daily" mixed with others.
Result<uint8_t> ParseDays(const std::vector<std::string_view>& tokens);

// "H:MM" or "HH:MM", 00:00..23:59 (24:00 too if allow_end_of_day). Returns
// seconds after midnight.
Result<int32_t> ParseClock(std::string_view token, bool allow_end_of_day);

// "daily", "weekdays", "weekends" or "Mon, Thu".
std::string FormatDays(uint8_t mask);
// "09:00".
std::string FormatClock(int32_t seconds_of_day);

inline constexpr uint8_t kAllDaysMask = 0b11111110;
inline constexpr uint8_t kWeekdaysMask = 0b00111110;
inline constexpr uint8_t kWeekendsMask = 0b11000000;

}  // namespace attune::therapy::internal
