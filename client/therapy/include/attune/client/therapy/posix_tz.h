// POSIX TZ strings as found in the footer of TZif v2+ files (RFC 8536
// section 3.3, with the v3 extension allowing rule times -167..167 hours):
//   "EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30".
// They give the offset for instants after a zone's last listed transition.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "attune/base/result.h"

namespace attune::therapy {

class PosixTimeZone {
 public:
  // kInvalidArgument for anything outside the grammar (message names the
  // problem), including offsets beyond 24:59:59 and out-of-range rules.
  static Result<PosixTimeZone> Parse(std::string_view text);

  // Seconds east of UTC at the instant utc.
  int32_t OffsetAt(int64_t utc) const;

  int32_t std_offset() const { return std_offset_; }
  bool has_dst() const { return dst_.has_value(); }

 private:
  // A transition date: Julian day without Feb 29 (Jn), zero-based day with
  // Feb 29 (n), or month/week/weekday (Mm.w.d); plus a local time of day.
  struct Rule {
    enum class Kind : uint8_t { kJulian1, kJulian0, kMonthWeekDay } kind;
    int32_t day = 0;    // Jn: 1..365, n: 0..365, M: weekday 0 (Sun)..6
    int32_t month = 0;  // 1..12 (M only)
    int32_t week = 0;   // 1..5 (M only)
    int32_t time = 0;   // seconds, -167h..167h, default 02:00
    // Unix seconds of this rule's local wall time in year `year`, read with
    // the given offset.
    int64_t InstantIn(int64_t year, int32_t offset) const;
  };
  struct Dst {
    int32_t offset = 0;  // seconds east of UTC
    Rule start{};        // read in standard time
    Rule end{};          // read in daylight time
  };

  PosixTimeZone() = default;
  int32_t std_offset_ = 0;
  std::optional<Dst> dst_{};
};

}  // namespace attune::therapy
