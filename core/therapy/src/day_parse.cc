#include "day_parse.h"

#include <cctype>
#include <cstdio>

namespace attune::therapy::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Echo at most this much of a bad token back in an error message.
std::string Quote(std::string_view token) { return "'" + std::string(token.substr(0, 24)) + "'"; }

int DayNumber(std::string_view token) {
  static constexpr const char* kShort[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static constexpr const char* kLong[] = {"monday", "tuesday",  "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};
  const std::string lower = Lower(token);
  for (int i = 0; i < 7; ++i) {
    if (lower == kShort[i] || lower == kLong[i]) return i + 1;
  }
  return 0;
}

}  // namespace

std::vector<std::string_view> Tokenize(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == ',' || text[i] == '\t') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != ',' && text[j] != '\t') ++j;
    tokens.push_back(text.substr(i, j - i));
    i = j;
  }
  return tokens;
}

bool LooksLikeTime(std::string_view token) {
  return !token.empty() && token[0] >= '0' && token[0] <= '9';
}

Result<uint8_t> ParseDays(const std::vector<std::string_view>& tokens) {
  if (tokens.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "missing days (expected daily, weekdays, weekends or day names like Mon)");
  }
  uint8_t mask = 0;
  for (std::string_view token : tokens) {
    const std::string lower = Lower(token);
    uint8_t add = 0;
    if (lower == "daily" || lower == "weekdays" || lower == "weekends") {
      if (tokens.size() != 1) {
        return MakeError(ErrorCode::kInvalidArgument,
                         Quote(token) + " cannot be combined with other days");
      }
      add = lower == "daily" ? kAllDaysMask : lower == "weekdays" ? kWeekdaysMask : kWeekendsMask;
    } else if (size_t dash = token.find('-'); dash != std::string_view::npos) {
      const int from = DayNumber(token.substr(0, dash));
      const int to = DayNumber(token.substr(dash + 1));
      if (from == 0 || to == 0 || from == to) {
        return MakeError(ErrorCode::kInvalidArgument, "bad day range " + Quote(token));
      }
      for (int d = from;; d = d % 7 + 1) {  // wraps: Sat-Mon
        add |= static_cast<uint8_t>(1U << d);
        if (d == to) break;
      }
    } else {
      const int d = DayNumber(token);
      if (d == 0) return MakeError(ErrorCode::kInvalidArgument, "unknown day " + Quote(token));
      add = static_cast<uint8_t>(1U << d);
    }
    if ((mask & add) != 0) {
      return MakeError(ErrorCode::kInvalidArgument, "day listed twice in " + Quote(token));
    }
    mask |= add;
  }
  return mask;
}

Result<int32_t> ParseClock(std::string_view token, bool allow_end_of_day) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad time " + Quote(token) + " (expected HH:MM, 00:00 to 23:59)");
  };
  const size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || token.size() != colon + 3) {
    return bad();
  }
  int values[2] = {0, 0};
  std::string_view parts[2] = {token.substr(0, colon), token.substr(colon + 1)};
  for (int p = 0; p < 2; ++p) {
    for (char c : parts[p]) {
      if (c < '0' || c > '9') return bad();
      values[p] = values[p] * 10 + (c - '0');
    }
  }
  const int hour = values[0];
  const int minute = values[1];
  if (minute > 59) return bad();
  if (hour == 24 && minute == 0 && allow_end_of_day) return 24 * 3600;
  if (hour > 23) return bad();
  return hour * 3600 + minute * 60;
}

std::string FormatDays(uint8_t mask) {
  if (mask == kAllDaysMask) return "daily";
  if (mask == kWeekdaysMask) return "weekdays";
  if (mask == kWeekendsMask) return "weekends";
  static constexpr const char* kNames[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  std::string out;
  for (int d = 1; d <= 7; ++d) {
    if ((mask >> d) & 1U) {
      if (!out.empty()) out += ", ";
      out += kNames[d];
    }
  }
  return out;
}

std::string FormatClock(int32_t seconds_of_day) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%02d:%02d", seconds_of_day / 3600, (seconds_of_day / 60) % 60);
  return buf;
}

}  // namespace attune::therapy::internal
