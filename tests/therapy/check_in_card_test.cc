// What a check-in's card in a conversation says (check_in_card.h).
#include "attune/client/therapy/check_in_card.h"

#include <gtest/gtest.h>

namespace attune::therapy {
namespace {

CheckIn Make(CheckInInput in) {
  in.filled_at = 1'767'700'000;
  in.utc_offset_seconds = -5 * 3600;
  return CheckIn::Create(std::move(in)).value();
}

TEST(CheckInCard, ScoresWithBandsAndTheAnswersPresentInTheirOrder) {
  CheckInInput in;
  in.mood = 4;
  in.sleep_minutes = 450;
  in.instruments.push_back({InstrumentId::kPhq9, {1, 1, 1, 1, 2, 2, 1, 1, 0}, std::nullopt});
  in.note = "A long week.";
  const CheckInCard card = DescribeCheckInCard(Make(in));
  EXPECT_EQ(card.title, "Check-in");
  EXPECT_FALSE(card.urgent);
  EXPECT_TRUE(card.risk.empty());
  EXPECT_EQ(card.filled_at, "2026-01-06 06:46 (UTC-05:00)");
  ASSERT_EQ(card.lines.size(), 4u);  // no anxiety asked: no anxiety line
  EXPECT_EQ(card.lines[0].label, "Mood");
  EXPECT_EQ(card.lines[0].value, "4 of 10");
  EXPECT_EQ(card.lines[1].label, "Sleep");
  EXPECT_EQ(card.lines[1].value, "7 h 30 min");
  EXPECT_EQ(card.lines[2].label, "PHQ-9");
  EXPECT_EQ(card.lines[2].value, "10 of 27 · Moderate");
  EXPECT_FALSE(card.lines[2].flagged);
  EXPECT_EQ(card.lines[3].label, "Note");
  EXPECT_EQ(card.lines[3].value, "A long week.");
  EXPECT_EQ(CheckInCardText(card),
            "Check-in, filled in 2026-01-06 06:46 (UTC-05:00)\nMood: 4 of 10\nSleep: 7 h 30 "
            "min\nPHQ-9: 10 of 27 · Moderate\nNote: A long week.");
}

TEST(CheckInCard, SelfHarmAnswerMakesItUrgentAndFlagsThatScore) {
  CheckInInput in;
  in.instruments.push_back({InstrumentId::kPhq9, {1, 1, 1, 1, 1, 1, 1, 1, 2}, std::nullopt});
  in.instruments.push_back({InstrumentId::kGad7, {0, 0, 0, 0, 0, 0, 0}, std::nullopt});
  in.sleep_minutes = 360;
  const CheckInCard card = DescribeCheckInCard(Make(in));
  EXPECT_EQ(card.title, "Urgent check-in");
  EXPECT_TRUE(card.urgent);
  EXPECT_NE(card.risk.find("PHQ-9 item 9"), std::string::npos) << card.risk;
  ASSERT_EQ(card.lines.size(), 3u);
  EXPECT_EQ(card.lines[0].value, "6 h");
  EXPECT_TRUE(card.lines[1].flagged);   // PHQ-9
  EXPECT_FALSE(card.lines[2].flagged);  // GAD-7
  EXPECT_EQ(card.lines[2].value, "0 of 21 · Minimal");
  EXPECT_NE(CheckInCardText(card).find("\nNeeds attention: PHQ-9 item 9"), std::string::npos);
}

TEST(CheckInCard, HelpNowIsInTheTitle) {
  CheckInInput in;
  in.help_now = true;
  const CheckInCard card = DescribeCheckInCard(Make(in));
  EXPECT_EQ(card.title, "Urgent check-in: I need help now");
  EXPECT_TRUE(card.urgent);
  EXPECT_TRUE(card.lines.empty());
}

}  // namespace
}  // namespace attune::therapy
