// Check-in cadences ("daily 20:00", "Mon, Thu 09:00", "weekdays 08:30") and
// when a check-in is due. Grammar and DST semantics: docs/design/therapy.md.
//
//   cadence  = days SP times
//   days     = "daily" | "weekdays" | "weekends" | dayspec *( [","] SP dayspec )
//   dayspec  = day | day "-" day          ; "Mon-Fri"; wraps: "Sat-Mon"
//   day      = "Mon" | "Monday" | ... | "Sun" | "Sunday"  (any case)
//   times    = time *( "," [SP] time )     ; up to kMaxCadenceTimesPerDay
//   time     = H ":" MM | HH ":" MM        ; 00:00 .. 23:59
//
// Times are wall-clock times in the client's zone; gaps and overlaps follow
// the rule in time_zone.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/result.h"
#include "attune/therapy/civil_time.h"
#include "attune/therapy/time_zone.h"

namespace attune::therapy {

class Cadence {
 public:
  // kInvalidArgument with a message naming the offending token: empty or
  // over-long text, an unknown day name, a day listed twice, a time missing
  // or malformed ("25:00", "9:5", "09:60"), a time listed twice, too many
  // times, or trailing text.
  static Result<Cadence> Parse(std::string_view text);

  // Canonical text: "daily 20:00", "weekdays 08:30", "Mon, Thu 09:00".
  // Parse(ToString()) gives an equal Cadence.
  std::string ToString() const;

  bool OnDay(Weekday day) const { return (day_mask_ >> static_cast<int>(day)) & 1U; }
  // Seconds after local midnight, ascending, unique.
  const std::vector<int32_t>& times() const { return times_; }

  // The latest scheduled instant <= at, if any within the past 8 days.
  std::optional<int64_t> PreviousOccurrence(const TimeZoneRules& zone, int64_t at) const;
  // The earliest scheduled instant > at (always exists within 8 days).
  int64_t NextOccurrence(const TimeZoneRules& zone, int64_t at) const;

  friend bool operator==(const Cadence&, const Cadence&) = default;

 private:
  Cadence(uint8_t day_mask, std::vector<int32_t> times)
      : day_mask_(day_mask), times_(std::move(times)) {}

  uint8_t day_mask_ = 0;  // bit (1..7) set for each ISO weekday
  std::vector<int32_t> times_{};
};

struct DueStatus {
  // True if a scheduled time has passed since the schedule started that no
  // check-in answers yet. A check-in filled at most
  // kEarlyCheckInGraceSeconds before a scheduled time answers it.
  bool due_now = false;
  // The scheduled instant that is due (the latest one passed), if due_now.
  std::optional<int64_t> due_since{};
  // The next scheduled instant after now.
  int64_t next_due = 0;
};

// schedule_start: when the schedule was received; earlier occurrences never
// count as missed. last_filled: the newest check-in's fill time, if any.
DueStatus ComputeDue(const Cadence& cadence, const TimeZoneRules& zone, int64_t schedule_start,
                     std::optional<int64_t> last_filled, int64_t now);

}  // namespace attune::therapy
