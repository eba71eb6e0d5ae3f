// Cadence parsing and due computation: midnight, week boundaries, DST in
// New York and Berlin, and zones far from UTC (real tzdata via the TZif
// reader).
#include "attune/therapy/schedule.h"

#include <gtest/gtest.h>

#include "attune/therapy/civil_time.h"
#include "attune/therapy/time_zone.h"
#include "test_time.h"

namespace attune::therapy {
namespace {

using testing::Local;
using testing::Utc;

const FixedOffsetZone kUtc(0);

Cadence Parse(std::string_view text) {
  auto c = Cadence::Parse(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().message);
  return std::move(c).value();
}

TEST(CivilTime, KnownDates) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
  EXPECT_EQ(CivilFromDays(-1), (CivilDate{1969, 12, 31}));
  EXPECT_EQ(CivilFromDays(DaysFromCivil({2024, 2, 29})), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(WeekdayFromDays(0), Weekday::kThursday);
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({2026, 3, 8})), Weekday::kSunday);
  EXPECT_EQ(Utc(2026, 3, 8, 7, 0), 1772953200);
}

TEST(Cadence, ParsesAndPrintsCanonically) {
  EXPECT_EQ(Parse("daily 20:00").ToString(), "daily 20:00");
  EXPECT_EQ(Parse("Mon, Thu 09:00").ToString(), "Mon, Thu 09:00");
  EXPECT_EQ(Parse("thursday monday 9:00").ToString(), "Mon, Thu 09:00");
  EXPECT_EQ(Parse("weekdays 08:30").ToString(), "weekdays 08:30");
  EXPECT_EQ(Parse("Mon-Fri 08:30").ToString(), "weekdays 08:30");
  EXPECT_EQ(Parse("Sat-Mon 10:00").ToString(), "Mon, Sat, Sun 10:00");
  EXPECT_EQ(Parse("weekends 21:00, 09:00").ToString(), "weekends 09:00, 21:00");
  EXPECT_EQ(Parse("Mon Tue Wed Thu Fri Sat Sun 07:05").ToString(), "daily 07:05");
  for (const char* text :
       {"daily 20:00", "Mon, Thu 09:00", "weekends 09:00, 21:00", "Tue, Sat 00:00, 23:59"}) {
    EXPECT_EQ(Parse(Parse(text).ToString()), Parse(text));
  }
}

TEST(Cadence, RejectsWithClearErrors) {
  struct Case {
    const char* text = nullptr;
    const char* message_part = nullptr;
  };
  const Case cases[] = {
      {"", "empty cadence"},
      {"daily", "missing time"},
      {"20:00", "missing days"},
      {"Fun 09:00", "unknown day 'Fun'"},
      {"Mon Mon 09:00", "day listed twice"},
      {"Mon-Fri Wed 09:00", "day listed twice"},
      {"daily Mon 09:00", "cannot be combined"},
      {"Mon-Mon 09:00", "bad day range"},
      {"daily 24:00", "bad time '24:00'"},
      {"daily 9:5", "bad time"},
      {"daily 09:60", "bad time"},
      {"daily 0900", "bad time"},
      {"daily 09:00 pm", "unexpected 'pm'"},
      {"daily 09:00, 09:00", "listed twice"},
      {"daily 01:00 02:00 03:00 04:00 05:00 06:00 07:00 08:00 09:00", "too many times"},
  };
  for (const Case& c : cases) {
    auto r = Cadence::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos)
        << c.text << " -> " << r.error().message;
  }
  EXPECT_FALSE(Cadence::Parse("daily " + std::string(200, ' ') + "09:00").ok());
}

TEST(Due, DailyAcrossMidnight) {
  const Cadence daily = Parse("daily 20:00");
  const int64_t start = Utc(2026, 1, 1);
  // Filled yesterday at 20:10; at 19:59 nothing is due, at 20:00 it is.
  const int64_t filled = Utc(2026, 1, 4, 20, 10);
  DueStatus s = ComputeDue(daily, kUtc, start, filled, Utc(2026, 1, 5, 19, 59));
  EXPECT_FALSE(s.due_now);
  EXPECT_EQ(s.next_due, Utc(2026, 1, 5, 20, 0));
  s = ComputeDue(daily, kUtc, start, filled, Utc(2026, 1, 5, 20, 0));
  EXPECT_TRUE(s.due_now);
  EXPECT_EQ(s.due_since, Utc(2026, 1, 5, 20, 0));
  EXPECT_EQ(s.next_due, Utc(2026, 1, 6, 20, 0));
  // Still due after midnight, pointing at the 20:00 of the previous day.
  s = ComputeDue(daily, kUtc, start, filled, Utc(2026, 1, 6, 0, 30));
  EXPECT_TRUE(s.due_now);
  EXPECT_EQ(s.due_since, Utc(2026, 1, 5, 20, 0));
  // Filled at 19:55 (within the early grace): not due at 20:05.
  s = ComputeDue(daily, kUtc, start, Utc(2026, 1, 5, 19, 55), Utc(2026, 1, 5, 20, 5));
  EXPECT_FALSE(s.due_now);
  // Filled at 17:30 (too early to count): due at 20:00.
  s = ComputeDue(daily, kUtc, start, Utc(2026, 1, 5, 17, 30), Utc(2026, 1, 5, 20, 5));
  EXPECT_TRUE(s.due_now);
}

TEST(Due, NothingDueBeforeTheScheduleStarted) {
  const Cadence daily = Parse("daily 20:00");
  // Schedule received at 21:00: the 20:00 that just passed does not count.
  const int64_t start = Utc(2026, 1, 5, 21, 0);
  DueStatus s = ComputeDue(daily, kUtc, start, std::nullopt, Utc(2026, 1, 5, 23, 0));
  EXPECT_FALSE(s.due_now);
  s = ComputeDue(daily, kUtc, start, std::nullopt, Utc(2026, 1, 6, 20, 0));
  EXPECT_TRUE(s.due_now);
}

TEST(Due, AcrossTheWeekBoundary) {
  const Cadence c = Parse("Mon, Thu 09:00");
  // 2026-01-04 is a Sunday; the last occurrence was Thursday 2026-01-01.
  ASSERT_EQ(WeekdayFromDays(DaysFromCivil({2026, 1, 4})), Weekday::kSunday);
  const int64_t now = Utc(2026, 1, 4, 23, 0);
  EXPECT_EQ(c.PreviousOccurrence(kUtc, now), Utc(2026, 1, 1, 9, 0));
  EXPECT_EQ(c.NextOccurrence(kUtc, now), Utc(2026, 1, 5, 9, 0));
  DueStatus s = ComputeDue(c, kUtc, Utc(2025, 12, 1), Utc(2026, 1, 1, 9, 30), now);
  EXPECT_FALSE(s.due_now);
  s = ComputeDue(c, kUtc, Utc(2025, 12, 1), Utc(2026, 1, 1, 9, 30), Utc(2026, 1, 5, 9, 0));
  EXPECT_TRUE(s.due_now);
  // Across a year boundary too.
  const Cadence weekdays = Parse("weekdays 08:30");
  EXPECT_EQ(weekdays.NextOccurrence(kUtc, Utc(2025, 12, 31, 9, 0)), Utc(2026, 1, 1, 8, 30));
  EXPECT_EQ(weekdays.NextOccurrence(kUtc, Utc(2026, 1, 2, 9, 0)), Utc(2026, 1, 5, 8, 30));
}

TEST(Due, FarFromUtc) {
  ATTUNE_REQUIRE_ZONE(kolkata, "Asia/Kolkata");
  ATTUNE_REQUIRE_ZONE(auckland, "Pacific/Auckland");
  const Cadence c = Parse("daily 08:00");
  // 08:00 IST (+05:30) is 02:30 UTC.
  EXPECT_EQ(c.NextOccurrence(*kolkata, Utc(2026, 6, 1, 0, 0)), Utc(2026, 6, 1, 2, 30));
  // 08:00 NZST (+12:00) on 2 June is 20:00 UTC on 1 June.
  EXPECT_EQ(c.NextOccurrence(*auckland, Utc(2026, 6, 1, 0, 0)), Utc(2026, 6, 1, 20, 0));
  const Cadence monday = Parse("Mon 07:00");
  // Monday 07:00 in Auckland is still Sunday in UTC.
  const int64_t next = monday.NextOccurrence(*auckland, Utc(2026, 6, 3));
  EXPECT_EQ(next, Utc(2026, 6, 7, 19, 0));
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({2026, 6, 7})), Weekday::kSunday);
}

TEST(Dst, NewYorkSpringForward) {
  ATTUNE_REQUIRE_ZONE(ny, "America/New_York");
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
  const ResolvedTime gap = ResolveLocalTime(*ny, Local(2026, 3, 8, 2, 30));
  EXPECT_EQ(gap.kind, LocalTimeKind::kGap);
  EXPECT_EQ(gap.utc, Utc(2026, 3, 8, 7, 30));  // = 03:30 EDT
  EXPECT_EQ(ToLocal(*ny, gap.utc), Local(2026, 3, 8, 3, 30));

  const Cadence early = Parse("daily 02:30");
  EXPECT_EQ(early.NextOccurrence(*ny, Utc(2026, 3, 7, 12)), Utc(2026, 3, 8, 7, 30));
  EXPECT_EQ(early.NextOccurrence(*ny, Utc(2026, 3, 8, 8)), Utc(2026, 3, 9, 6, 30));

  // Evening reminders keep their wall time: 20:00 EST then 20:00 EDT, 23 h apart.
  const Cadence evening = Parse("daily 20:00");
  const int64_t before = evening.NextOccurrence(*ny, Utc(2026, 3, 7, 12));
  const int64_t after = evening.NextOccurrence(*ny, before);
  EXPECT_EQ(before, Utc(2026, 3, 8, 1, 0));
  EXPECT_EQ(after, Utc(2026, 3, 9, 0, 0));
  EXPECT_EQ(after - before, 23 * 3600);
}

TEST(Dst, NewYorkFallBack) {
  ATTUNE_REQUIRE_ZONE(ny, "America/New_York");
  // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
  const ResolvedTime twice = ResolveLocalTime(*ny, Local(2026, 11, 1, 1, 30));
  EXPECT_EQ(twice.kind, LocalTimeKind::kOverlap);
  EXPECT_EQ(twice.utc, Utc(2026, 11, 1, 5, 30));  // the first, EDT

  const Cadence c = Parse("daily 01:30");
  EXPECT_EQ(c.NextOccurrence(*ny, Utc(2026, 11, 1, 0)), Utc(2026, 11, 1, 5, 30));
  // The second 01:30 (06:30 UTC) is not another occurrence.
  EXPECT_EQ(c.NextOccurrence(*ny, Utc(2026, 11, 1, 5, 30)), Utc(2026, 11, 2, 6, 30));
  // Filled at the first 01:30: not due again at the second.
  const DueStatus s =
      ComputeDue(c, *ny, Utc(2026, 10, 1), Utc(2026, 11, 1, 5, 40), Utc(2026, 11, 1, 6, 45));
  EXPECT_FALSE(s.due_now);
  // A 20:00 reminder is 25 h after the previous one across the change.
  const Cadence evening = Parse("daily 20:00");
  const int64_t sat = evening.NextOccurrence(*ny, Utc(2026, 10, 31, 12));
  EXPECT_EQ(evening.NextOccurrence(*ny, sat) - sat, 25 * 3600);
}

TEST(Dst, Berlin) {
  ATTUNE_REQUIRE_ZONE(berlin, "Europe/Berlin");
  // 2026-03-29: 02:00 CET -> 03:00 CEST. 2026-10-25: 03:00 CEST -> 02:00 CET.
  EXPECT_EQ(berlin->OffsetAt(Utc(2026, 3, 29, 0, 59)), 3600);
  EXPECT_EQ(berlin->OffsetAt(Utc(2026, 3, 29, 1, 0)), 7200);
  EXPECT_EQ(berlin->OffsetAt(Utc(2026, 10, 25, 0, 59)), 7200);
  EXPECT_EQ(berlin->OffsetAt(Utc(2026, 10, 25, 1, 0)), 3600);
  const ResolvedTime gap = ResolveLocalTime(*berlin, Local(2026, 3, 29, 2, 15));
  EXPECT_EQ(gap.kind, LocalTimeKind::kGap);
  EXPECT_EQ(gap.utc, Utc(2026, 3, 29, 1, 15));  // 03:15 CEST
  const ResolvedTime overlap = ResolveLocalTime(*berlin, Local(2026, 10, 25, 2, 15));
  EXPECT_EQ(overlap.kind, LocalTimeKind::kOverlap);
  EXPECT_EQ(overlap.utc, Utc(2026, 10, 25, 0, 15));  // first 02:15, CEST
  EXPECT_EQ(ResolveLocalTime(*berlin, Local(2026, 7, 1, 9)).kind, LocalTimeKind::kUnique);

  // "Sun 02:15" on both change days: once each, never skipped.
  const Cadence sunday = Parse("Sun 02:15");
  EXPECT_EQ(sunday.NextOccurrence(*berlin, Utc(2026, 3, 28)), Utc(2026, 3, 29, 1, 15));
  EXPECT_EQ(sunday.NextOccurrence(*berlin, Utc(2026, 10, 24)), Utc(2026, 10, 25, 0, 15));
  // Due on the spring-forward Sunday from 03:15 CEST, not before.
  const int64_t start = Utc(2026, 3, 1);
  EXPECT_FALSE(
      ComputeDue(sunday, *berlin, start, Utc(2026, 3, 22, 2), Utc(2026, 3, 29, 1, 14)).due_now);
  EXPECT_TRUE(
      ComputeDue(sunday, *berlin, start, Utc(2026, 3, 22, 2), Utc(2026, 3, 29, 1, 15)).due_now);
}

TEST(TimeZoneName, RefusesPathTricks) {
  for (const char* ok : {"UTC", "America/New_York", "Etc/GMT+5", "America/Port-au-Prince",
                         "America/Argentina/Buenos_Aires"}) {
    EXPECT_TRUE(ValidateTimeZoneName(ok).ok()) << ok;
  }
  for (const char* bad :
       {"", "../etc/passwd", "/etc/passwd", "America//New_York", "America/New_York/", ".", "..",
        "America/../../etc/shadow", "New York", "Europe/Berlin\n", "-rf", "a\\b"}) {
    EXPECT_FALSE(ValidateTimeZoneName(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateTimeZoneName(std::string(65, 'a')).ok());
  EXPECT_EQ(FormatUtcOffset(-4 * 3600), "-04:00");
  EXPECT_EQ(FormatUtcOffset(19800), "+05:30");
}

}  // namespace
}  // namespace attune::therapy
