// Test helpers: UTC instants from calendar fields, and zones from the
// system zoneinfo directory (tests skip clearly if tzdata is absent).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "attune/client/therapy/tzif.h"
#include "attune/therapy/civil_time.h"

namespace attune::therapy::testing {

inline int64_t Utc(int64_t y, uint32_t m, uint32_t d, int h = 0, int min = 0, int s = 0) {
  return DaysFromCivil(CivilDate{y, m, d}) * kSecondsPerDay + h * 3600 + min * 60 + s;
}

inline LocalTime Local(int64_t y, uint32_t m, uint32_t d, int h = 0, int min = 0) {
  return LocalTime{Utc(y, m, d, h, min)};
}

// Loads a real zone or returns nullptr (callers GTEST_SKIP).
inline std::unique_ptr<TimeZoneRules> Zone(const std::string& name) {
  auto zone = LoadTimeZone(name);
  if (!zone.ok()) return nullptr;
  return std::move(zone).value();
}

#define ATTUNE_REQUIRE_ZONE(var, name)                                      \
  auto var = ::attune::therapy::testing::Zone(name);                        \
  if (var == nullptr) {                                                     \
    GTEST_SKIP() << "tzdata not installed (no /usr/share/zoneinfo/" << name \
                 << "); install the tzdata package (scripts/bootstrap.sh)"; \
  }

}  // namespace attune::therapy::testing
