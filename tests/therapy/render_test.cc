// The `attune checkins` table and sparklines.
#include "attune/client/therapy/render.h"

#include <gtest/gtest.h>

namespace attune::therapy {
namespace {

TEST(Sparkline, ScalesOverTheFixedRange) {
  const std::vector<std::optional<uint32_t>> values = {0, 5, 10, std::nullopt, 3};
  EXPECT_EQ(Sparkline(values, 10), "\u2581\u2585\u2588 \u2583");
  std::vector<std::optional<uint32_t>> all;
  for (uint32_t v = 0; v <= 7; ++v) all.push_back(v);
  EXPECT_EQ(Sparkline(all, 7), "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
  EXPECT_EQ(Sparkline(std::vector<std::optional<uint32_t>>{27}, 27), "\u2588");
}

HistoryEntry Entry(uint32_t mood, std::vector<uint32_t> phq9, int64_t filled_at,
                   std::optional<int64_t> ack = std::nullopt) {
  CheckInInput in;
  in.mood = mood;
  in.instruments.push_back({InstrumentId::kPhq9, std::move(phq9), std::nullopt});
  in.filled_at = filled_at;
  in.utc_offset_seconds = -5 * 3600;
  in.note = "note for " + std::to_string(mood);
  HistoryEntry e;
  e.body = CheckIn::Create(in).value();
  e.acknowledged_at = ack;
  return e;
}

TEST(Render, TableWithTotalsBandsFlagsAndSparklines) {
  std::vector<HistoryEntry> entries;
  entries.push_back(Entry(2, {3, 3, 3, 3, 3, 3, 2, 2, 1}, 1'767'700'000));  // urgent, 23
  entries.push_back(Entry(5, {1, 1, 1, 1, 1, 1, 1, 1, 0}, 1'767'786'400, std::nullopt));
  entries.push_back(Entry(9, {0, 0, 0, 0, 0, 0, 0, 0, 0}, 1'767'872'800));
  HistoryEntry text;
  text.body = TextMessage{"not a check-in"};
  entries.push_back(text);
  const std::string out = RenderCheckInTable(entries);
  EXPECT_NE(out.find("PHQ-9"), std::string::npos) << out;
  EXPECT_NE(out.find("23 Severe"), std::string::npos) << out;
  EXPECT_NE(out.find("8 Mild"), std::string::npos) << out;
  EXPECT_NE(out.find("0 Minimal"), std::string::npos) << out;
  EXPECT_NE(out.find("URGENT"), std::string::npos) << out;
  EXPECT_NE(out.find("(UTC-05:00)"), std::string::npos) << out;
  EXPECT_EQ(out.find("not a check-in"), std::string::npos);
  // Mood 2, 5, 9 over 0..10 and PHQ-9 23, 8, 0 over 0..27.
  EXPECT_NE(out.find("Mood    \u2582\u2585\u2587  (0-10)"), std::string::npos) << out;
  EXPECT_NE(out.find("PHQ-9   \u2587\u2583\u2581  (0-27)"), std::string::npos) << out;

  entries[0].acknowledged_at = 1'767'800'000;
  EXPECT_NE(RenderCheckInTable(entries).find("urgent (ack)"), std::string::npos);
  EXPECT_EQ(RenderCheckInTable({}), "No check-ins yet.\n");
}

TEST(Render, TruncatesOnCodePoints) {
  EXPECT_EQ(TruncateText("short", 10), "short");
  EXPECT_EQ(TruncateText("caf\u00e9s and more", 5), "caf\u00e9\u2026");
  EXPECT_EQ(TruncateText("two\nlines", 20), "two lines");
}

}  // namespace
}  // namespace attune::therapy
