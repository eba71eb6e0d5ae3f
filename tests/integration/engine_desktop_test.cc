// The engine queries the desktop app asks instead of deciding itself
// (engine.h, "desktop queries"), against a real relay: what the check-in
// form asks (the schedule's items and questionnaires), a check-in stamped
// with the engine's injected clock, a multi-line text as a window shows
// it, and noticing another instance's changes to the same profile.
#include <gtest/gtest.h>

#include "attune/client/content_view.h"
#include "attune/therapy/schedule.h"
#include "engine_fixture.h"

namespace attune::testing {
namespace {

class EngineDesktopTest : public TwoEnginesTest {
 protected:
  EngineDesktopTest() : TwoEnginesTest("attune-engine-desktop") {}
};

TEST_F(EngineDesktopTest, CheckInFormFollowsTheScheduleAndIsStampedByTheEngineClock) {
  // Nothing scheduled: the daily items, no questionnaire.
  auto open = client_->CheckInFormFor("therapist");
  ASSERT_TRUE(open.ok()) << open.error().message;
  EXPECT_EQ(open->items.size(), 4u);
  EXPECT_TRUE(open->instruments.empty());
  EXPECT_FALSE(open->schedule_message_id.has_value());
  EXPECT_EQ(therapist_->CheckInFormFor("sam").error().code, ErrorCode::kInvalidArgument);

  auto cadence = therapy::Cadence::Parse("daily 20:00");
  ASSERT_TRUE(cadence.ok());
  therapy::CheckInSchedule schedule{
      {therapy::CheckInItem::kSleep}, {therapy::InstrumentId::kGad7}, *cadence, "", true};
  ASSERT_TRUE(therapist_->SendSchedule("sam", schedule).ok());
  Sync(client_);
  auto form = client_->CheckInFormFor("therapist");
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->items, std::vector<therapy::CheckInItem>{therapy::CheckInItem::kSleep});
  EXPECT_EQ(form->instruments, std::vector<therapy::InstrumentId>{therapy::InstrumentId::kGad7});
  ASSERT_TRUE(form->schedule_message_id.has_value());

  // The client's engine on a clock the test sets: the check-in carries that
  // time, whatever the system clock says.
  constexpr int64_t kAt = 1'900'000'000;
  client_.engine.reset();
  client::EngineOptions options;
  options.now = [] { return static_cast<uint64_t>(kAt); };
  const std::string passphrase = "passphrase of client";  // engine_support.cc's
  auto reopened = client::Engine::Open((root_ / "client").string(), AsBytes(passphrase), options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  client_.engine = std::move(reopened).value();
  client_->Subscribe(client_.events);
  EXPECT_EQ(client_->Now(), kAt);

  therapy::CheckInInput input;
  input.sleep_minutes = 420;
  input.instruments.push_back(
      {therapy::InstrumentId::kGad7, std::vector<uint32_t>(7, 1), std::nullopt});
  input.schedule_message_id = form->schedule_message_id;
  input.filled_at = 5;  // replaced by the engine's clock
  auto sent = client_->SendCheckInNow("therapist", input);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  Sync(therapist_);
  auto rows = therapist_->CheckIns("sam");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().filled_at, kAt);
  EXPECT_EQ(rows->front().sleep_minutes, 420u);

  // Answers the core refuses: an error, nothing stored.
  therapy::CheckInInput bad;
  bad.instruments.push_back(
      {therapy::InstrumentId::kGad7, std::vector<uint32_t>(3, 1), std::nullopt});
  EXPECT_EQ(client_->SendCheckInNow("therapist", bad).error().code, ErrorCode::kInvalidArgument);
  auto own = client_->CheckIns("therapist");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->size(), 1u);
}

TEST_F(EngineDesktopTest, WindowTextKeepsLineBreaksWithoutTheTerminalIndent) {
  const std::string text = "Hello Sam,\nsee you Tuesday.\n    (indented by me)";
  ASSERT_TRUE(therapist_->SendText("sam", text).ok());
  Sync(client_);
  auto history = client_->History("therapist");
  ASSERT_TRUE(history.ok()) << history.error().message;
  ASSERT_EQ(history->size(), 1u);
  EXPECT_NE(history->front().summary, text);  // the terminal's form
  EXPECT_EQ(client::WindowText(history->front().summary), text);
}

TEST_F(EngineDesktopTest, OutsideChangeMarkMovesOnlyForAnotherInstancesCommits) {
  auto before = client_->OutsideChangeMark();
  ASSERT_TRUE(before.ok()) << before.error().message;
  // This engine's own change: reported by events, not by the mark.
  ASSERT_TRUE(client_->SendText("therapist", "from the first window").ok());
  EXPECT_EQ(client_->OutsideChangeMark().value(), *before);

  // A second instance on the same profile commits: the first one sees it.
  const std::string passphrase = "passphrase of client";  // engine_support.cc's
  auto second = client::Engine::Open((root_ / "client").string(), AsBytes(passphrase));
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_TRUE((*second)->SendText("therapist", "from the second window").ok());
  auto after = client_->OutsideChangeMark();
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *before);
  auto history = client_->History("therapist");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
}

}  // namespace
}  // namespace attune::testing
