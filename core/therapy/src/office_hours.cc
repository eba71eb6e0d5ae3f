#include "attune/therapy/office_hours.h"

#include <algorithm>
#include <map>
#include <utility>

#include "attune/therapy/limits.h"
#include "day_parse.h"
#include "text_check.h"

namespace attune::therapy {
namespace {

bool InWindow(const OfficeWindow& w, Weekday day, uint32_t minute) {
  return w.day == day && minute >= w.start_minute && minute < w.end_minute;
}

}  // namespace

Result<OfficeHours> OfficeHours::Create(std::vector<OfficeWindow> windows, std::string time_zone,
                                        uint32_t expected_reply_hours,
                                        std::string expected_reply_text, std::string auto_reply) {
  if (windows.size() > kMaxOfficeHoursWindows) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "at most " + std::to_string(kMaxOfficeHoursWindows) + " office-hours windows");
  }
  for (const OfficeWindow& w : windows) {
    const auto day = static_cast<int>(w.day);
    if (day < 1 || day > 7) {
      return MakeError(ErrorCode::kInvalidArgument, "office-hours window has no valid day");
    }
    if (w.start_minute >= 1440 || w.end_minute > 1440 || w.start_minute >= w.end_minute) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "office-hours window on " + std::string(WeekdayShortName(w.day)) +
                           " must start before it ends, within one day");
    }
  }
  std::sort(windows.begin(), windows.end(), [](const OfficeWindow& a, const OfficeWindow& b) {
    return std::pair(a.day, a.start_minute) < std::pair(b.day, b.start_minute);
  });
  for (size_t i = 1; i < windows.size(); ++i) {
    if (windows[i].day == windows[i - 1].day &&
        windows[i].start_minute < windows[i - 1].end_minute) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "office-hours windows overlap on " + std::string(WeekdayShortName(windows[i].day)));
    }
  }
  ATTUNE_RETURN_IF_ERROR(ValidateTimeZoneName(time_zone));
  if (expected_reply_hours > kMaxExpectedReplyHours) {
    return MakeError(ErrorCode::kInvalidArgument, "expected reply time is too long");
  }
  ATTUNE_RETURN_IF_ERROR(internal::CheckText("expected reply text", expected_reply_text,
                                             kMaxReplyTextBytes, false, false));
  ATTUNE_RETURN_IF_ERROR(
      internal::CheckText("auto-reply", auto_reply, kMaxAutoReplyBytes, false, true));
  OfficeHours hours;
  hours.windows_ = std::move(windows);
  hours.time_zone_ = std::move(time_zone);
  hours.expected_reply_hours_ = expected_reply_hours;
  hours.expected_reply_text_ = std::move(expected_reply_text);
  hours.auto_reply_ = std::move(auto_reply);
  return hours;
}

Result<std::vector<OfficeWindow>> OfficeHours::ParseWindows(std::string_view text) {
  std::vector<OfficeWindow> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t semi = text.find(';', pos);
    if (semi == std::string_view::npos) semi = text.size();
    const std::vector<std::string_view> tokens = internal::Tokenize(text.substr(pos, semi - pos));
    pos = semi + 1;
    if (tokens.empty()) continue;
    size_t first_range = 0;
    while (first_range < tokens.size() && !internal::LooksLikeTime(tokens[first_range])) {
      ++first_range;
    }
    ATTUNE_ASSIGN_OR_RETURN(uint8_t mask, internal::ParseDays(std::vector<std::string_view>(
                                              tokens.begin(), tokens.begin() + first_range)));
    if (first_range == tokens.size()) {
      return MakeError(ErrorCode::kInvalidArgument, "missing hours (expected e.g. 09:00-17:00)");
    }
    for (size_t i = first_range; i < tokens.size(); ++i) {
      const std::string_view range = tokens[i];
      const size_t dash = range.find('-');
      if (dash == std::string_view::npos) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "bad hours '" + std::string(range.substr(0, 24)) + "' (expected HH:MM-HH:MM)");
      }
      ATTUNE_ASSIGN_OR_RETURN(int32_t start, internal::ParseClock(range.substr(0, dash), false));
      ATTUNE_ASSIGN_OR_RETURN(int32_t end, internal::ParseClock(range.substr(dash + 1), true));
      for (int d = 1; d <= 7; ++d) {
        if ((mask >> d) & 1U) {
          out.push_back(OfficeWindow{static_cast<Weekday>(d), static_cast<uint32_t>(start / 60),
                                     static_cast<uint32_t>(end / 60)});
        }
      }
      if (out.size() > kMaxOfficeHoursWindows) {
        return MakeError(ErrorCode::kInvalidArgument, "too many office-hours windows");
      }
    }
  }
  if (out.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no office hours given (expected e.g. \"Mon-Fri 09:00-17:00\")");
  }
  return out;
}

std::string OfficeHours::FormatWindows(const std::vector<OfficeWindow>& windows) {
  std::map<std::pair<uint32_t, uint32_t>, uint8_t> by_range;
  for (const OfficeWindow& w : windows) {
    by_range[{w.start_minute, w.end_minute}] |= static_cast<uint8_t>(1U << static_cast<int>(w.day));
  }
  std::string out;
  for (const auto& [range, mask] : by_range) {
    if (!out.empty()) out += "; ";
    out += internal::FormatDays(mask) + " " +
           internal::FormatClock(static_cast<int32_t>(range.first * 60)) + "-" +
           internal::FormatClock(static_cast<int32_t>(range.second * 60));
  }
  return out;
}

bool OfficeHours::IsWithinOfficeHours(const TimeZoneRules& zone, int64_t now) const {
  const LocalTime local = ToLocal(zone, now);
  const Weekday day = WeekdayFromDays(DayOf(local));
  const auto minute = static_cast<uint32_t>(SecondOfDay(local) / 60);
  return std::any_of(windows_.begin(), windows_.end(),
                     [&](const OfficeWindow& w) { return InWindow(w, day, minute); });
}

std::optional<int64_t> OfficeHours::NextOpening(const TimeZoneRules& zone, int64_t now) const {
  const int64_t today = DayOf(ToLocal(zone, now));
  std::optional<int64_t> best;
  for (int64_t d = today - 1; d <= today + 8; ++d) {
    const Weekday day = WeekdayFromDays(d);
    for (const OfficeWindow& w : windows_) {
      if (w.day != day) continue;
      const int64_t utc =
          ResolveLocalTime(zone, LocalTime{d * kSecondsPerDay + int64_t{w.start_minute} * 60}).utc;
      if (utc > now && (!best || utc < *best)) best = utc;
    }
  }
  return best;
}

std::string OfficeHours::ExpectedReplyLine() const {
  if (!expected_reply_text_.empty()) return "Usually replies " + expected_reply_text_ + ".";
  if (expected_reply_hours_ > 0) {
    return "Usually replies within " + std::to_string(expected_reply_hours_) +
           (expected_reply_hours_ == 1 ? " hour." : " hours.");
  }
  return "";
}

std::string AutoReplyText(const OfficeHours& hours, const TimeZoneRules& zone, int64_t now,
                          std::string_view therapist_name, const CrisisResourceSet& resources) {
  std::string out = "[Auto-reply shown on this device only; your message is still sent]\n";
  if (!hours.auto_reply().empty()) {
    out += hours.auto_reply() + "\n";
  } else {
    out += std::string(therapist_name) +
           " is outside office hours right now and will read your message when back.\n";
  }
  if (std::optional<int64_t> next = hours.NextOpening(zone, now)) {
    const LocalTime local = ToLocal(zone, *next);
    out += "Office hours resume " + std::string(WeekdayShortName(WeekdayFromDays(DayOf(local)))) +
           " " + FormatLocalMinute(local) + " (" + hours.time_zone() + ").\n";
  }
  const std::string reply = hours.ExpectedReplyLine();
  if (!reply.empty()) out += reply + "\n";
  out += FormatCrisisResources(resources);
  return out;
}

}  // namespace attune::therapy
