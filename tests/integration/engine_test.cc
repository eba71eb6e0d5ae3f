// The client engine in-process against a real attune-relay on 127.0.0.1, no
// CLI: pairing, a message each way, the delivery receipt as a Delivered
// event, an urgent check-in listed first until acknowledged, the settings
// push, background sync delivering an event by itself, and what a person is
// shown (issue 10).
#include <gtest/gtest.h>

#include "attune/client/practice.h"
#include "attune/therapy/check_in.h"
#include "engine_fixture.h"

namespace attune::testing {
namespace {

using client::ContactChanged;
using client::MessageKind;
using std::chrono::seconds;

constexpr auto kEventTimeout = seconds(15);

class EngineTest : public TwoEnginesTest {
 protected:
  EngineTest() : TwoEnginesTest("attune-engine-test") {}

  therapy::CheckIn MakeCheckIn(std::vector<uint32_t> phq9) {
    therapy::CheckInInput in;
    in.mood = 3;
    in.instruments.push_back({therapy::InstrumentId::kPhq9, std::move(phq9), std::nullopt});
    in.filled_at = static_cast<int64_t>(client::SystemNow());
    auto c = therapy::CheckIn::Create(in);
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }
};

TEST_F(EngineTest, PairsAndMessagesEachWayWithDeliveredEvent) {
  EXPECT_FALSE(therapist_.events->All<ContactChanged>().empty());
  auto sent = client_->SendText("therapist", "hello from Sam");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_TRUE(sent->uploaded) << sent->pending_reason;

  client::SyncReport t = Sync(therapist_);
  EXPECT_EQ(t.new_messages, 1u);
  auto got = therapist_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.summary == "hello from Sam"; }, seconds(1));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->contact_name, "sam");
  EXPECT_EQ(got->kind, MessageKind::kText);

  // The receipt comes back as a Delivered event naming the history row, and
  // is not counted as a new message.
  client::SyncReport c = Sync(client_);
  EXPECT_EQ(c.new_messages, 0u);
  EXPECT_EQ(c.receipts, 1u);
  const int64_t row = sent->message_id;
  auto delivered = client_.events->WaitFor<client::MessagesDelivered>(
      [row](const auto& d) {
        return std::find(d.message_ids.begin(), d.message_ids.end(), row) != d.message_ids.end();
      },
      seconds(1));
  ASSERT_TRUE(delivered);
  auto history = client_->History("therapist");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().status, client::HistoryItem::Status::kDelivered);

  // And the other way.
  ASSERT_TRUE(therapist_->SendText("sam", "hello back").ok());
  EXPECT_EQ(Sync(client_).new_messages, 1u);
  EXPECT_TRUE(client_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.summary == "hello back"; }, seconds(1)));
}

TEST_F(EngineTest, UrgentCheckInIsFlaggedAndListedFirstUntilAcknowledged) {
  ASSERT_TRUE(client_->SendText("therapist", "an ordinary message first").ok());
  std::vector<uint32_t> answers(9, 0);
  answers[8] = 2;  // PHQ-9 item 9
  auto sent = client_->SendCheckIn("therapist", MakeCheckIn(answers));
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(therapist_->SendText("sam", "a later message").ok());
  ASSERT_TRUE(client_->SendText("therapist", "and a newer one").ok());

  EXPECT_EQ(Sync(therapist_).new_messages, 3u);
  auto urgent = therapist_.events->WaitFor<client::CheckInReceived>(
      [](const auto& c) { return c.urgent; }, seconds(1));
  ASSERT_TRUE(urgent);
  EXPECT_NE(urgent->risk.find("item 9"), std::string::npos) << urgent->risk;

  for (int pass = 0; pass < 2; ++pass) {  // read or not, it stays first
    auto inbox = therapist_->Inbox(200, /*mark_read=*/true);
    ASSERT_TRUE(inbox.ok());
    ASSERT_EQ(inbox->size(), 3u);
    EXPECT_TRUE(inbox->front().urgent);
    EXPECT_EQ(inbox->front().kind, MessageKind::kCheckIn);
    EXPECT_EQ((*inbox)[1].summary, "an ordinary message first");
  }
  auto contact = therapist_->Contact("sam");
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->urgent_unacknowledged, 1u);

  auto acked = therapist_->AcknowledgeUrgent("sam");
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(*acked, 1u);
  auto inbox = therapist_->Inbox(200, false);
  ASSERT_TRUE(inbox.ok());
  for (const auto& item : *inbox) EXPECT_FALSE(item.urgent);
  EXPECT_EQ(inbox->front().summary, "an ordinary message first");
}

TEST_F(EngineTest, SettingsPushReachesClientAsWordsNotUnreadTags) {
  auto windows = therapy::OfficeHours::ParseWindows("Mon-Fri 09:00-17:00");
  ASSERT_TRUE(windows.ok());
  auto hours = therapy::OfficeHours::Create(*windows, "UTC", 24, "", "");
  ASSERT_TRUE(hours.ok());
  auto pushed = therapist_->SetOfficeHours(*hours, "");
  ASSERT_TRUE(pushed.ok()) << pushed.error().message;
  EXPECT_EQ(pushed->queued, 1u);
  auto set = therapy::CrisisResourceSet::Create(
      "en-GB", {{"Samaritans", "116 123", therapy::CrisisContactKind::kCall, ""}});
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(therapist_->SetCrisisResources(*set, "").ok());

  client::SyncReport r = Sync(client_);
  EXPECT_EQ(r.practice_updates, 2u);
  EXPECT_EQ(r.new_messages, 0u);
  auto words = client_.events->WaitFor<ContactChanged>(
      [](const auto& c) {
        return c.change == ContactChanged::Change::kPracticeUpdated &&
               c.description.find("Office hours are now weekdays 09:00-17:00 (UTC)") !=
                   std::string::npos;
      },
      seconds(1));
  std::string seen;
  for (const auto& c : client_.events->All<ContactChanged>()) seen += c.description + "\n";
  ASSERT_TRUE(words) << seen;
  // Nothing unread, no "[office-hours]" tag.
  auto inbox = client_->Inbox(200, false);
  ASSERT_TRUE(inbox.ok());
  EXPECT_TRUE(inbox->empty());

  // Any time: hours, reply time and which resources are shown, and why.
  auto info = client_->PracticeInfoFor("therapist");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->hours_text, "weekdays 09:00-17:00 (UTC)");
  EXPECT_EQ(info->expected_reply, "Usually replies within 24 hours.");
  EXPECT_EQ(info->resource_source, client::ResourceSource::kClinic);
  EXPECT_EQ(info->resources.resources().front().label, "Samaritans");
  EXPECT_NE(info->resources_note.find("replace the default US set"), std::string::npos);
  // The closing line names the clinic's number, not 911/988.
  const std::string danger = client::DangerLine(info->resources);
  EXPECT_NE(danger.find("call 116 123"), std::string::npos) << danger;
  EXPECT_EQ(danger.find("988"), std::string::npos) << danger;

  // A client paired later receives both settings when pairing completes.
  auto kim = CreateClient(root_ / "kim", "Kim");
  ASSERT_TRUE(kim.ok());
  ASSERT_TRUE(Pair(therapist_, *kim, "kim").ok());
  EXPECT_EQ(Sync(*kim).practice_updates, 2u);
  auto kim_info = (*kim)->PracticeInfoFor("therapist");
  ASSERT_TRUE(kim_info.ok());
  EXPECT_EQ(kim_info->resource_source, client::ResourceSource::kClinic);
  EXPECT_EQ(kim_info->hours_text, "weekdays 09:00-17:00 (UTC)");
}

TEST_F(EngineTest, BackgroundSyncDeliversEventsWithoutAnyCall) {
  ASSERT_TRUE(therapist_->StartBackgroundSync().ok());
  ASSERT_TRUE(therapist_.events->WaitFor<client::ConnectionChanged>(
      [](const auto& c) { return c.state == client::ConnectionState::kConnected; }, kEventTimeout));
  ASSERT_TRUE(client_->StartBackgroundSync().ok());

  auto sent = client_->SendText("therapist", "live message");
  ASSERT_TRUE(sent.ok());
  EXPECT_TRUE(therapist_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.summary == "live message"; }, kEventTimeout));
  // The therapist's engine answered with a receipt on its own.
  const int64_t row = sent->message_id;
  EXPECT_TRUE(client_.events->WaitFor<client::MessagesDelivered>(
      [row](const auto& d) {
        return std::find(d.message_ids.begin(), d.message_ids.end(), row) != d.message_ids.end();
      },
      kEventTimeout));

  // Queries work while the background thread runs.
  auto inbox = therapist_->Inbox(10, false);
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->size(), 1u);

  // The relay goes away and comes back on the same port: reconnect, resume.
  relay_->Kill9();
  EXPECT_TRUE(therapist_.events->WaitFor<client::ConnectionChanged>(
      [](const auto& c) { return c.state == client::ConnectionState::kDisconnected; },
      kEventTimeout));
  ASSERT_TRUE(relay_->Restart(/*same_port=*/true).ok());
  ASSERT_TRUE(client_->SendText("therapist", "after the restart").ok());
  EXPECT_TRUE(therapist_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.summary == "after the restart"; }, seconds(45)));
  therapist_->StopBackgroundSync();
  client_->StopBackgroundSync();
  EXPECT_FALSE(therapist_->background_sync_running());
}

// A burst of deliveries: each message is committed with its own receipt
// (the receipt exists exactly when the message does; receive.cc), the
// receipts are uploaded together, and every message shows as delivered.
TEST_F(EngineTest, BurstOfMessagesIsDeliveredEachWithItsReceipt) {
  constexpr int kBurst = 12;
  std::vector<int64_t> rows;
  for (int i = 0; i < kBurst; ++i) {
    auto sent = client_->SendText("therapist", "burst " + std::to_string(i));
    ASSERT_TRUE(sent.ok() && sent->uploaded);
    rows.push_back(sent->message_id);
  }
  client::SyncReport t = Sync(therapist_);
  EXPECT_EQ(t.new_messages, static_cast<size_t>(kBurst));
  client::SyncReport c = Sync(client_);
  EXPECT_EQ(c.receipts, static_cast<size_t>(kBurst));
  EXPECT_EQ(c.new_messages, 0u);
  auto history = client_->History("therapist");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), static_cast<size_t>(kBurst));
  for (const auto& item : *history) {
    EXPECT_EQ(item.status, client::HistoryItem::Status::kDelivered) << item.summary;
  }
  std::vector<int64_t> delivered_rows;
  for (const auto& d : client_.events->All<client::MessagesDelivered>()) {
    delivered_rows.insert(delivered_rows.end(), d.message_ids.begin(), d.message_ids.end());
  }
  std::sort(delivered_rows.begin(), delivered_rows.end());
  EXPECT_EQ(delivered_rows, rows);
  // The therapist's side lists all of them, from the index columns.
  auto inbox = therapist_->Inbox(100, false);
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->size(), static_cast<size_t>(kBurst));
  auto contacts = therapist_->Contacts();
  ASSERT_TRUE(contacts.ok() && contacts->size() == 1u);
  EXPECT_EQ(contacts->front().unread, static_cast<size_t>(kBurst));
}

// With the page check deferred (the desktop app), background sync runs it
// before anything else; a healthy profile then syncs as usual.
TEST_F(EngineTest, DeferredIntegrityCheckRunsInBackgroundSync) {
  const std::string dir = therapist_->profile_dir();
  therapist_.engine.reset();
  client::EngineOptions options;
  options.integrity_check = client::store::IntegrityCheck::kDeferred;
  auto reopened = client::Engine::Open(dir, AsBytes(std::string("passphrase of therapist")),
                                       std::move(options));
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  therapist_.engine = std::move(reopened).value();
  therapist_->Subscribe(therapist_.events);
  EXPECT_TRUE(therapist_->CheckIntegrity().ok());
  ASSERT_TRUE(therapist_->StartBackgroundSync().ok());
  ASSERT_TRUE(client_->SendText("therapist", "after a deferred check").ok());
  EXPECT_TRUE(therapist_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.summary == "after a deferred check"; }, kEventTimeout));
  therapist_->StopBackgroundSync();
  EXPECT_TRUE(therapist_.events->All<client::EngineError>().empty());
}

TEST_F(EngineTest, SendBlockIsATypeWithAdviceForTheRole) {
  // A client cannot create invitations: the advice must not tell them to.
  const std::string client_advice =
      client::SendBlockAdvice(client::SendBlock::kRollback, client::Role::kClient, "therapist");
  EXPECT_NE(client_advice.find("Ask your therapist for a new invitation"), std::string::npos);
  EXPECT_EQ(client_advice.find("attune invite"), std::string::npos);
  const std::string therapist_advice =
      client::SendBlockAdvice(client::SendBlock::kRollback, client::Role::kTherapist, "sam");
  EXPECT_NE(therapist_advice.find("attune invite --replaces sam"), std::string::npos);
  auto contact = client_->Contact("therapist");
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->send_block, client::SendBlock::kNone);
  // Unknown contact: a code, not a message to parse.
  auto missing = client_->SendText("nobody", "hi");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(EngineTest, WrongPassphraseIsAuthFailedAndChangesNothing) {
  const std::string dir = (root_ / "client").string();
  client_.engine.reset();
  auto wrong = client::Engine::Open(dir, AsBytes(std::string("not it")));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kAuthFailed);
  auto right = client::Engine::Open(dir, AsBytes(std::string("passphrase of client")));
  ASSERT_TRUE(right.ok()) << right.error().message;
  EXPECT_EQ((*right)->account().display_name, "Sam");
}

}  // namespace
}  // namespace attune::testing
