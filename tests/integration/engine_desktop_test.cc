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

TEST_F(EngineDesktopTest, HistoryComesInPagesWithCheckInCardsAndReadingMarksOnlyThatContact) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client_->SendText("therapist", "text " + std::to_string(i)).ok());
  }
  therapy::CheckInInput input;
  input.mood = 3;
  input.instruments.push_back(
      {therapy::InstrumentId::kPhq9, {1, 1, 1, 1, 1, 1, 1, 1, 1}, std::nullopt});
  ASSERT_TRUE(client_->SendCheckInNow("therapist", input).ok());
  Sync(therapist_);

  // Newest page first: the check-in and two texts; older ones remain.
  auto newest = therapist_->HistoryBefore("sam", 0, 3);
  ASSERT_TRUE(newest.ok()) << newest.error().message;
  ASSERT_EQ(newest->items.size(), 3u);
  EXPECT_TRUE(newest->more);
  EXPECT_EQ(newest->items[0].summary, "text 3");
  EXPECT_EQ(newest->items[1].summary, "text 4");
  const client::HistoryItem& card = newest->items[2];
  EXPECT_EQ(card.kind, client::MessageKind::kCheckIn);
  ASSERT_TRUE(card.check_in.has_value());
  EXPECT_TRUE(card.check_in->urgent);
  EXPECT_EQ(card.check_in->title, "Urgent check-in");
  EXPECT_FALSE(newest->items[0].check_in.has_value());
  // The page before it: the rest, and nothing older.
  auto older = therapist_->HistoryBefore("sam", newest->items[0].message_id, 3);
  ASSERT_TRUE(older.ok()) << older.error().message;
  ASSERT_EQ(older->items.size(), 3u);
  EXPECT_FALSE(older->more);
  EXPECT_EQ(older->items[0].summary, "text 0");
  EXPECT_EQ(older->items[2].summary, "text 2");
  // The same rows as the whole history, card included.
  auto all = therapist_->History("sam");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ((*all)[5].check_in, card.check_in);
  EXPECT_EQ(therapist_->HistoryBefore("nobody", 0, 3).error().code, ErrorCode::kNotFound);

  // The received check-in event carries the same card.
  auto received = therapist_.events->WaitFor<client::MessageReceived>(
      [](const client::MessageReceived& m) { return m.kind == client::MessageKind::kCheckIn; },
      std::chrono::seconds(5));
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->check_in, card.check_in);

  // Reading the conversation marks its six rows, once.
  auto marked = therapist_->MarkConversationRead("sam");
  ASSERT_TRUE(marked.ok()) << marked.error().message;
  EXPECT_EQ(*marked, 6u);
  EXPECT_EQ(*therapist_->MarkConversationRead("sam"), 0u);
  auto contacts = therapist_->Contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].unread, 0u);
}

}  // namespace
}  // namespace attune::testing
