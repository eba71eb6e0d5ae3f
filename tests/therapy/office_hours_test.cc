// Office hours: window parsing, inside/outside in the therapist's zone,
// and the auto-reply shown locally outside them.
#include "attune/therapy/office_hours.h"

#include <gtest/gtest.h>

#include "attune/therapy/crisis_resources.h"
#include "test_time.h"

namespace attune::therapy {
namespace {

using testing::Utc;

OfficeHours WeekdayHours(const std::string& zone) {
  auto windows = OfficeHours::ParseWindows("Mon-Fri 09:00-17:00; Sat 10:00-12:00");
  EXPECT_TRUE(windows.ok());
  auto hours = OfficeHours::Create(*windows, zone, 24, "", "");
  EXPECT_TRUE(hours.ok());
  return std::move(hours).value();
}

TEST(OfficeHours, ParsesAndFormatsWindows) {
  auto w = OfficeHours::ParseWindows("Mon-Fri 09:00-17:00; Sat 10:00-12:00");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->size(), 6u);
  EXPECT_EQ(OfficeHours::FormatWindows(*w), "weekdays 09:00-17:00; Sat 10:00-12:00");
  auto split = OfficeHours::ParseWindows("Tue 09:00-12:00, 13:00-24:00");
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->size(), 2u);
  EXPECT_EQ((*split)[1].end_minute, 1440u);
  for (const char* bad : {"", "Mon", "Mon 09:00", "Mon 17:00-09:00", "Mon 9-5", "Xyz 09:00-10:00",
                          "Mon 09:00-25:00"}) {
    auto r = OfficeHours::ParseWindows(bad);
    if (r.ok()) {
      // Parsed shapes must still fail validation (e.g. inverted windows).
      EXPECT_FALSE(OfficeHours::Create(*r, "UTC", 0, "", "").ok()) << bad;
    }
  }
  auto overlapping = OfficeHours::ParseWindows("Mon 09:00-12:00; Mon 11:00-13:00");
  ASSERT_TRUE(overlapping.ok());
  EXPECT_FALSE(OfficeHours::Create(*overlapping, "UTC", 0, "", "").ok());
  EXPECT_FALSE(OfficeHours::Create({}, "../etc", 0, "", "").ok());
  EXPECT_FALSE(OfficeHours::Create({}, "UTC", 0, "bad\x1b]0;title\x07", "").ok());
}

TEST(OfficeHours, InsideAndOutsideInTheTherapistsZone) {
  ATTUNE_REQUIRE_ZONE(ny, "America/New_York");
  const OfficeHours hours = WeekdayHours("America/New_York");
  // 2026-07-06 is a Monday; EDT is UTC-4.
  EXPECT_FALSE(hours.IsWithinOfficeHours(*ny, Utc(2026, 7, 6, 12, 59)));   // 08:59
  EXPECT_TRUE(hours.IsWithinOfficeHours(*ny, Utc(2026, 7, 6, 13, 0)));     // 09:00
  EXPECT_TRUE(hours.IsWithinOfficeHours(*ny, Utc(2026, 7, 6, 20, 59)));    // 16:59
  EXPECT_FALSE(hours.IsWithinOfficeHours(*ny, Utc(2026, 7, 6, 21, 0)));    // 17:00, end exclusive
  EXPECT_TRUE(hours.IsWithinOfficeHours(*ny, Utc(2026, 7, 11, 14, 30)));   // Sat 10:30
  EXPECT_FALSE(hours.IsWithinOfficeHours(*ny, Utc(2026, 7, 12, 14, 30)));  // Sun
  // In winter (EST) the same wall times are an hour later in UTC.
  EXPECT_FALSE(hours.IsWithinOfficeHours(*ny, Utc(2026, 1, 5, 13, 30)));  // 08:30 EST
  EXPECT_TRUE(hours.IsWithinOfficeHours(*ny, Utc(2026, 1, 5, 14, 0)));    // 09:00 EST

  // Friday 18:00 -> opens Saturday 10:00; Saturday 12:30 -> Monday 09:00.
  EXPECT_EQ(hours.NextOpening(*ny, Utc(2026, 7, 10, 22, 0)), Utc(2026, 7, 11, 14, 0));
  EXPECT_EQ(hours.NextOpening(*ny, Utc(2026, 7, 11, 16, 30)), Utc(2026, 7, 13, 13, 0));
}

TEST(OfficeHours, AutoReplyOutsideHours) {
  ATTUNE_REQUIRE_ZONE(berlin, "Europe/Berlin");
  const OfficeHours hours = WeekdayHours("Europe/Berlin");
  // Sunday 2026-07-12 20:00 CEST.
  const int64_t now = Utc(2026, 7, 12, 18, 0);
  ASSERT_FALSE(hours.IsWithinOfficeHours(*berlin, now));
  const std::string text =
      AutoReplyText(hours, *berlin, now, "Dr. Rivera", DefaultUsCrisisResources());
  EXPECT_NE(text.find("shown on this device only"), std::string::npos) << text;
  EXPECT_NE(text.find("Dr. Rivera is outside office hours"), std::string::npos) << text;
  EXPECT_NE(text.find("Office hours resume Mon 2026-07-13 09:00 (Europe/Berlin)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Usually replies within 24 hours."), std::string::npos) << text;
  EXPECT_NE(text.find("call or text 988"), std::string::npos) << text;
  EXPECT_NE(text.find("call 911"), std::string::npos) << text;
  EXPECT_NE(text.find("Text HOME to 741741"), std::string::npos) << text;

  auto custom = OfficeHours::Create(hours.windows(), "Europe/Berlin", 0, "within two working days",
                                    "I am away this week.");
  ASSERT_TRUE(custom.ok());
  const std::string custom_text =
      AutoReplyText(*custom, *berlin, now, "Dr. Rivera", DefaultUsCrisisResources());
  EXPECT_NE(custom_text.find("I am away this week."), std::string::npos);
  EXPECT_NE(custom_text.find("Usually replies within two working days."), std::string::npos);
}

TEST(CrisisResources, DefaultUsSetAndValidation) {
  const CrisisResourceSet& us = DefaultUsCrisisResources();
  ASSERT_EQ(us.resources().size(), 3u);
  EXPECT_EQ(us.resources()[0].contact, "988");
  EXPECT_EQ(us.resources()[0].kind, CrisisContactKind::kCallOrText);
  EXPECT_EQ(us.resources()[1].contact, "911");
  EXPECT_EQ(us.resources()[2].contact, "741741");
  EXPECT_EQ(us.resources()[2].note, "Text HOME to 741741");
  EXPECT_FALSE(CrisisResourceSet::Create("en-US", {}).ok());
  EXPECT_FALSE(
      CrisisResourceSet::Create("en-US", {{"", "988", CrisisContactKind::kCall, ""}}).ok());
  EXPECT_FALSE(
      CrisisResourceSet::Create("en-US", {{"Line", "988\x1b[8m", CrisisContactKind::kCall, ""}})
          .ok());
  std::vector<CrisisResource> many(17, {"Line", "1", CrisisContactKind::kCall, ""});
  EXPECT_FALSE(CrisisResourceSet::Create("en-US", many).ok());
}

}  // namespace
}  // namespace attune::therapy
