#include "attune/therapy/schedule.h"

#include <algorithm>

#include "attune/therapy/limits.h"
#include "day_parse.h"

namespace attune::therapy {

Result<Cadence> Cadence::Parse(std::string_view text) {
  if (text.size() > kMaxCadenceBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "cadence is too long");
  }
  const std::vector<std::string_view> tokens = internal::Tokenize(text);
  if (tokens.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "empty cadence (expected e.g. \"daily 20:00\" or \"Mon, Thu 09:00\")");
  }
  size_t first_time = 0;
  while (first_time < tokens.size() && !internal::LooksLikeTime(tokens[first_time])) ++first_time;
  ATTUNE_ASSIGN_OR_RETURN(uint8_t mask, internal::ParseDays(std::vector<std::string_view>(
                                            tokens.begin(), tokens.begin() + first_time)));
  if (first_time == tokens.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "missing time of day (expected HH:MM)");
  }
  std::vector<int32_t> times;
  for (size_t i = first_time; i < tokens.size(); ++i) {
    if (!internal::LooksLikeTime(tokens[i])) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unexpected '" + std::string(tokens[i].substr(0, 24)) + "' after the times");
    }
    ATTUNE_ASSIGN_OR_RETURN(int32_t t, internal::ParseClock(tokens[i], false));
    if (std::find(times.begin(), times.end(), t) != times.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "time " + std::string(tokens[i]) + " listed twice");
    }
    times.push_back(t);
    if (times.size() > kMaxCadenceTimesPerDay) {
      return MakeError(ErrorCode::kInvalidArgument, "too many times per day (at most 8)");
    }
  }
  std::sort(times.begin(), times.end());
  return Cadence(mask, std::move(times));
}

std::string Cadence::ToString() const {
  std::string out = internal::FormatDays(day_mask_) + " ";
  for (size_t i = 0; i < times_.size(); ++i) {
    if (i > 0) out += ", ";
    out += internal::FormatClock(times_[i]);
  }
  return out;
}

std::optional<int64_t> Cadence::PreviousOccurrence(const TimeZoneRules& zone, int64_t at) const {
  // Every wall time within the last 8 local days plus tomorrow (a gap shift
  // or an offset change can move an instant across midnight).
  const int64_t today = DayOf(ToLocal(zone, at));
  std::optional<int64_t> best;
  for (int64_t d = today + 1; d >= today - 8; --d) {
    if (!OnDay(WeekdayFromDays(d))) continue;
    for (int32_t t : times_) {
      const int64_t utc = ResolveLocalTime(zone, LocalTime{d * kSecondsPerDay + t}).utc;
      if (utc <= at && (!best || utc > *best)) best = utc;
    }
  }
  return best;
}

int64_t Cadence::NextOccurrence(const TimeZoneRules& zone, int64_t at) const {
  const int64_t today = DayOf(ToLocal(zone, at));
  std::optional<int64_t> best;
  for (int64_t d = today - 1; d <= today + 8; ++d) {
    if (!OnDay(WeekdayFromDays(d))) continue;
    for (int32_t t : times_) {
      const int64_t utc = ResolveLocalTime(zone, LocalTime{d * kSecondsPerDay + t}).utc;
      if (utc > at && (!best || utc < *best)) best = utc;
    }
  }
  // A cadence always has a day and a time, so a week ahead always holds one.
  return best.value_or(at + 7 * kSecondsPerDay);
}

DueStatus ComputeDue(const Cadence& cadence, const TimeZoneRules& zone, int64_t schedule_start,
                     std::optional<int64_t> last_filled, int64_t now) {
  DueStatus status{false, std::nullopt, cadence.NextOccurrence(zone, now)};
  const std::optional<int64_t> previous = cadence.PreviousOccurrence(zone, now);
  if (!previous || *previous < schedule_start) return status;
  if (last_filled && *last_filled >= *previous - kEarlyCheckInGraceSeconds) return status;
  status.due_now = true;
  status.due_since = previous;
  return status;
}

}  // namespace attune::therapy
