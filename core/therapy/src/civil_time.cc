#include "attune/therapy/civil_time.h"

#include <cstdio>

namespace attune::therapy {

int64_t DaysFromCivil(CivilDate date) {
  const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t m = date.month;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{yoe + era * 400 + (m <= 2 ? 1 : 0), static_cast<uint32_t>(m),
                   static_cast<uint32_t>(d)};
}

Weekday WeekdayFromDays(int64_t days) {
  // 1970-01-01 was a Thursday (ISO 4).
  return static_cast<Weekday>(FloorMod(days + 3, 7) + 1);
}

const char* WeekdayShortName(Weekday day) {
  static constexpr const char* kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return kNames[static_cast<int>(day) - 1];
}

std::string FormatLocalMinute(LocalTime t) {
  const CivilDate date = CivilFromDays(DayOf(t));
  const int64_t sod = SecondOfDay(t);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02lld:%02lld",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(sod / 3600), static_cast<long long>((sod / 60) % 60));
  return buf;
}

}  // namespace attune::therapy
