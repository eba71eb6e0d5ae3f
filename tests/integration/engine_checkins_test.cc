// Engine::CheckIns and Engine::SentSchedule (check_ins.h) against a real
// relay: the rows a check-ins table and chart show — scores, bands, the
// urgent reason and its acknowledgement — and the schedule sent per client.
#include <gtest/gtest.h>

#include "attune/client/check_ins.h"
#include "attune/therapy/check_in.h"
#include "engine_fixture.h"

namespace attune::testing {
namespace {

class EngineCheckInsTest : public TwoEnginesTest {
 protected:
  EngineCheckInsTest() : TwoEnginesTest("attune-engine-checkins") {}
};

TEST_F(EngineCheckInsTest, RowsCarryScoresUrgentReasonAndAcknowledgement) {
  therapy::CheckInInput in;
  in.mood = 3;
  in.sleep_minutes = 330;
  std::vector<uint32_t> phq9(9, 1);
  phq9[8] = 2;  // item 9: total 10, "Moderate"
  in.instruments.push_back({therapy::InstrumentId::kPhq9, phq9, std::nullopt});
  in.instruments.push_back(
      {therapy::InstrumentId::kGad7, std::vector<uint32_t>(7, 0), std::nullopt});
  in.filled_at = static_cast<int64_t>(client::SystemNow());
  auto check_in = therapy::CheckIn::Create(in);
  ASSERT_TRUE(check_in.ok());
  ASSERT_TRUE(client_->SendCheckIn("therapist", *check_in).ok());
  ASSERT_TRUE(client_->SendText("therapist", "texts are not rows").ok());
  ASSERT_TRUE(QuickSync(therapist_).ok());

  auto rows = therapist_->CheckIns("sam");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const client::CheckInRecord& r = rows->front();
  EXPECT_TRUE(r.received);
  EXPECT_EQ(r.mood, 3u);
  EXPECT_EQ(r.sleep_minutes, 330u);
  EXPECT_FALSE(r.anxiety.has_value());
  const therapy::Score* phq = r.Find(therapy::InstrumentId::kPhq9);
  ASSERT_NE(phq, nullptr);
  EXPECT_EQ(phq->total, 10u);
  EXPECT_EQ(phq->band, "Moderate");
  const therapy::Score* gad = r.Find(therapy::InstrumentId::kGad7);
  ASSERT_NE(gad, nullptr);
  EXPECT_EQ(gad->total, 0u);
  EXPECT_TRUE(r.awaiting_acknowledgement());
  EXPECT_NE(r.risk.find("item 9"), std::string::npos) << r.risk;

  auto acked = therapist_->AcknowledgeUrgent("sam");
  ASSERT_TRUE(acked.ok());
  rows = therapist_->CheckIns("sam");
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->front().urgent);
  EXPECT_TRUE(rows->front().acknowledged_at.has_value());
  EXPECT_FALSE(rows->front().awaiting_acknowledgement());

  // The client's own copy is theirs, not an urgent item to act on.
  auto own = client_->CheckIns("therapist");
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->size(), 1u);
  EXPECT_FALSE(own->front().received);
  EXPECT_FALSE(own->front().urgent);
  EXPECT_EQ(own->front().Find(therapy::InstrumentId::kPhq9)->total, 10u);

  EXPECT_EQ(therapist_->CheckIns("nobody").error().code, ErrorCode::kNotFound);
}

TEST_F(EngineCheckInsTest, SentScheduleIsTheLatestSentToThatClient) {
  auto none = therapist_->SentSchedule("sam");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  for (const char* text : {"daily 20:00", "Mon, Thu 09:00"}) {
    auto cadence = therapy::Cadence::Parse(text);
    ASSERT_TRUE(cadence.ok());
    therapy::CheckInSchedule schedule{
        {therapy::CheckInItem::kMood}, {therapy::InstrumentId::kPhq9}, *cadence, "", true};
    ASSERT_TRUE(therapist_->SendSchedule("sam", schedule).ok());
  }
  auto latest = therapist_->SentSchedule("sam");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->cadence.ToString(), "Mon, Thu 09:00");
  EXPECT_EQ((*latest)->instruments,
            std::vector<therapy::InstrumentId>{therapy::InstrumentId::kPhq9});
}

}  // namespace
}  // namespace attune::testing
