// Proleptic Gregorian calendar arithmetic on unix time, without any clock or
// time-zone database (those are injected; see time_zone.h).
//
// Days are counted from 1970-01-01 (day 0). Algorithms after Howard
// Hinnant, "chrono-Compatible Low-Level Date Algorithms".
#pragma once

#include <cstdint>
#include <string>

namespace attune::therapy {

inline constexpr int64_t kSecondsPerDay = 86400;

// ISO 8601 weekday: Monday = 1 .. Sunday = 7 (matches content.v1.Weekday).
enum class Weekday : uint8_t {
  kMonday = 1,
  kTuesday = 2,
  kWednesday = 3,
  kThursday = 4,
  kFriday = 5,
  kSaturday = 6,
  kSunday = 7,
};

struct CivilDate {
  int64_t year = 0;
  uint32_t month = 0;  // 1..12
  uint32_t day = 0;    // 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// A wall-clock time with no zone attached: seconds since 1970-01-01T00:00
// local. Converting to an instant needs TimeZoneRules.
struct LocalTime {
  int64_t seconds = 0;
  friend auto operator<=>(const LocalTime&, const LocalTime&) = default;
};

int64_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int64_t days);
Weekday WeekdayFromDays(int64_t days);

// Floor division helpers (unix time before 1970 is negative).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
inline int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

inline int64_t DayOf(LocalTime t) { return FloorDiv(t.seconds, kSecondsPerDay); }
inline int64_t SecondOfDay(LocalTime t) { return FloorMod(t.seconds, kSecondsPerDay); }

// "Mon" .. "Sun".
const char* WeekdayShortName(Weekday day);

// "2026-03-08 02:30" for a local time; "2026-03-08 07:30Z" style helpers are
// the renderer's job.
std::string FormatLocalMinute(LocalTime t);

}  // namespace attune::therapy
