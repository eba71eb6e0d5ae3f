// A therapist's office hours: weekly windows in the therapist's zone, the
// expected reply time, and the auto-reply the client's own device shows (it
// is never sent by the therapist's device) when the client writes outside
// those hours.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/result.h"
#include "attune/therapy/civil_time.h"
#include "attune/therapy/crisis_resources.h"
#include "attune/therapy/time_zone.h"

namespace attune::therapy {

// [start_minute, end_minute) after local midnight on day.
struct OfficeWindow {
  Weekday day{};
  uint32_t start_minute = 0;  // 0..1439
  uint32_t end_minute = 0;    // start_minute+1 .. 1440
  friend bool operator==(const OfficeWindow&, const OfficeWindow&) = default;
};

class OfficeHours {
 public:
  // kInvalidArgument: more than kMaxOfficeHoursWindows windows, an empty or
  // inverted window, overlapping windows on the same day, an invalid zone
  // name, or over-long / non-UTF-8 / control-character texts.
  static Result<OfficeHours> Create(std::vector<OfficeWindow> windows, std::string time_zone,
                                    uint32_t expected_reply_hours, std::string expected_reply_text,
                                    std::string auto_reply);

  // Parses windows like "Mon-Fri 09:00-17:00; Sat 10:00-12:00".
  // kInvalidArgument with the offending token.
  static Result<std::vector<OfficeWindow>> ParseWindows(std::string_view text);
  // Inverse of ParseWindows (one clause per distinct time range per day).
  static std::string FormatWindows(const std::vector<OfficeWindow>& windows);

  const std::vector<OfficeWindow>& windows() const { return windows_; }  // sorted
  const std::string& time_zone() const { return time_zone_; }
  uint32_t expected_reply_hours() const { return expected_reply_hours_; }
  const std::string& expected_reply_text() const { return expected_reply_text_; }
  const std::string& auto_reply() const { return auto_reply_; }

  // zone must be the rules for time_zone(). Wall-clock based: during a DST
  // overlap both 01:30s are inside a window covering 01:30.
  bool IsWithinOfficeHours(const TimeZoneRules& zone, int64_t now) const;
  // The next instant > now at which a window opens (none if no windows).
  std::optional<int64_t> NextOpening(const TimeZoneRules& zone, int64_t now) const;

  // "Usually replies within 24 hours." or the therapist's own text.
  std::string ExpectedReplyLine() const;

  friend bool operator==(const OfficeHours&, const OfficeHours&) = default;

 private:
  OfficeHours() = default;
  std::vector<OfficeWindow> windows_{};
  std::string time_zone_{};
  uint32_t expected_reply_hours_ = 0;
  std::string expected_reply_text_{};
  std::string auto_reply_{};
};

// The text shown locally when the client writes while IsWithinOfficeHours
// is false: the therapist's auto_reply (or a default), when hours resume in
// the therapist's local time, the expected reply time, and the crisis
// resources. therapist_name is the client's local name for the therapist.
std::string AutoReplyText(const OfficeHours& hours, const TimeZoneRules& zone, int64_t now,
                          std::string_view therapist_name, const CrisisResourceSet& resources);

}  // namespace attune::therapy
