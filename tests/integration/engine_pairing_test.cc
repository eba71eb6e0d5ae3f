// Pairing and receiving that survive loss and crashes, with two engines and
// a real attune-relay on 127.0.0.1 (issue 10):
//   - the client's first message is lost on the relay: its next message
//     (which repeats the X3DH part) still pairs and is shown;
//   - a delivery receipt is committed with the message it acknowledges: when
//     writing the receipt fails, the message is not stored either, and the
//     redelivery stores both;
//   - pairing again under a known name is staged as pending: the known
//     contact keeps its session, mailbox and crisis resources until the
//     user confirms (then one swap) or declines.
#include <gtest/gtest.h>

#include "attune/client/pairing.h"
#include "attune/client/practice.h"
#include "attune/client/store/profile.h"
#include "attune/client/store/sqlite.h"
#include "attune/therapy/schedule.h"
#include "engine_fixture.h"

namespace attune::testing {
namespace {

using client::ContactChanged;
using std::chrono::seconds;

class EnginePairingTest : public TwoEnginesTest {
 protected:
  EnginePairingTest() : TwoEnginesTest("attune-engine-pairing-test", Start::kUnpaired) {}

  // Every stored message on the relay disappears (as if the relay lost
  // them): stop it, delete the rows, start it again on the same port.
  void DropEverythingOnTheRelay() {
    ASSERT_TRUE(relay_->Terminate(std::chrono::milliseconds(10000)).has_value());
    {
      auto db =
          client::store::Database::OpenFile((relay_->data_dir() / "relay.db").string(), false);
      ASSERT_TRUE(db.ok()) << db.error().message;
      ASSERT_TRUE(db->Exec("DELETE FROM messages; UPDATE mailboxes SET message_count = 0, "
                           "byte_count = 0")
                      .ok());
    }
    ASSERT_TRUE(relay_->Restart(/*same_port=*/true).ok());
  }
};

TEST_F(EnginePairingTest, LostFirstMessageIsRecoveredFromTheNextOne) {
  client::InviteRequest request;
  request.local_name = "sam";
  auto invitation = therapist_->Invite(request);
  ASSERT_TRUE(invitation.ok()) << invitation.error().message;
  auto accepted = client_->Accept(invitation->text, std::string("therapist"));
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  ASSERT_TRUE(accepted->delivered);

  // The first message never reaches the therapist.
  DropEverythingOnTheRelay();
  client::SyncReport nothing = Sync(therapist_);
  EXPECT_EQ(nothing.paired, 0u);

  // The client writes; that message carries the X3DH part and the hello.
  auto sent = client_->SendText("therapist", "are you there?");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  if (!sent->uploaded) {
    // Its pooled connection was to the relay process that stopped.
    client::SyncReport flush = Sync(client_);
    ASSERT_EQ(flush.pending, 0u) << flush.pending_reason;
  }
  client::SyncReport t = Sync(therapist_);
  EXPECT_EQ(t.paired, 1u);
  EXPECT_EQ(t.new_messages, 1u);
  EXPECT_EQ(t.dropped, 0u);
  EXPECT_TRUE(therapist_.events->WaitFor<ContactChanged>(
      [](const auto& c) {
        return c.change == ContactChanged::Change::kPaired && c.contact_name == "sam";
      },
      seconds(1)));
  EXPECT_TRUE(therapist_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.contact_name == "sam" && m.summary == "are you there?"; },
      seconds(1)));
  auto contacts = therapist_->Contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);

  // The conversation works both ways, and after the reply the client stops
  // repeating the X3DH part: its next message is an ordinary one.
  ASSERT_TRUE(therapist_->SendText("sam", "yes, hello Sam").ok());
  client::SyncReport c = Sync(client_);
  EXPECT_EQ(c.new_messages, 1u);
  EXPECT_EQ(c.receipts, 1u);  // for "are you there?"
  ASSERT_TRUE(client_->SendText("therapist", "great").ok());
  client::SyncReport t2 = Sync(therapist_);
  EXPECT_EQ(t2.new_messages, 1u);
  EXPECT_EQ(t2.paired, 0u);
  auto again = therapist_->Contacts();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u);
}

TEST_F(EnginePairingTest, ReceiptIsCommittedWithTheMessageOrNotAtAll) {
  ASSERT_TRUE(Pair(therapist_, client_, "sam").ok());
  ASSERT_TRUE(therapist_->SendText("sam", "see you Thursday").ok());

  // A second connection to the client's profile makes every outbox insert
  // fail: the receipt cannot be written.
  const std::string passphrase = "passphrase of client";
  auto side = client::store::Profile::Open((root_ / "client").string(), AsBytes(passphrase));
  ASSERT_TRUE(side.ok()) << side.error().message;
  ASSERT_TRUE(side->db()
                  .Exec("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox "
                        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
                  .ok());

  auto failed = QuickSync(client_);
  EXPECT_FALSE(failed.ok());
  // Neither the message nor its receipt exists; the delivery stayed on the
  // relay (not acknowledged).
  auto history = client_->History("therapist");
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());

  ASSERT_TRUE(side->db().Exec("DROP TRIGGER fail_outbox").ok());
  client::SyncReport ok = Sync(client_);
  EXPECT_EQ(ok.new_messages, 1u);
  EXPECT_GE(ok.sent, 1u);  // the receipt went out with this sync
  history = client_->History("therapist");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  client::SyncReport t = Sync(therapist_);
  EXPECT_EQ(t.receipts, 1u);
  auto theirs = therapist_->History("sam");
  ASSERT_TRUE(theirs.ok());
  ASSERT_FALSE(theirs->empty());
  EXPECT_EQ(theirs->back().status, client::HistoryItem::Status::kDelivered);
}

// An invitation from someone else who also calls themselves "Dr Rivera",
// accepted under the known name: nothing is replaced until confirmed.
class EngineRepairingTest : public EnginePairingTest {
 protected:
  void SetUp() override {
    EnginePairingTest::SetUp();
    ASSERT_TRUE(Pair(therapist_, client_, "sam").ok());
    auto other = CreateTherapist(root_ / "other", *relay_, "Dr Rivera");
    ASSERT_TRUE(other.ok()) << other.error().message;
    other_ = std::move(other).value();
    auto set = therapy::CrisisResourceSet::Create(
        "en-GB", {{"Not a real line", "000 000", therapy::CrisisContactKind::kCall, ""}});
    ASSERT_TRUE(set.ok());
    ASSERT_TRUE(other_->SetCrisisResources(*set, "").ok());
    client::InviteRequest request;
    request.local_name = "sam";
    auto invitation = other_->Invite(request);
    ASSERT_TRUE(invitation.ok()) << invitation.error().message;
    auto accepted = client_->Accept(invitation->text, std::string("therapist"));
    ASSERT_TRUE(accepted.ok()) << accepted.error().message;
    accepted_ = *accepted;
    // The other therapist sees an ordinary new client and pushes its
    // crisis resources to it.
    EXPECT_EQ(Sync(other_).paired, 1u);
  }

  EngineUnderTest other_;
  client::AcceptOutput accepted_{};
};

TEST_F(EngineRepairingTest, PendingReplacesNothingAndGenuineMessagesStillArrive) {
  EXPECT_EQ(accepted_.pending_replaces, "therapist");
  EXPECT_EQ(accepted_.contact_name, "therapist-pending");
  EXPECT_TRUE(accepted_.identity_changed);
  auto known = client_->Contact("therapist");
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known->state, client::ContactState::kActive);
  EXPECT_EQ(known->pending_replacement, "therapist-pending");
  EXPECT_EQ(known->send_block, client::SendBlock::kNone);
  auto pending = client_->Contact("therapist-pending");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->state, client::ContactState::kPendingReplacement);
  EXPECT_EQ(pending->replaces, "therapist");
  EXPECT_EQ(pending->send_block, client::SendBlock::kPendingReplacement);

  // The genuine therapist's later message, on the old mailbox, is shown as
  // theirs; the newcomer's is kept but flagged.
  ASSERT_TRUE(therapist_->SendText("sam", "still me, see you Thursday").ok());
  ASSERT_TRUE(other_->SendText("sam", "I am your therapist now").ok());
  client::SyncReport r = Sync(client_);
  EXPECT_EQ(r.new_messages, 2u);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_TRUE(client_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) {
        return m.contact_name == "therapist" && m.pending_replaces.empty() &&
               m.summary == "still me, see you Thursday";
      },
      seconds(1)));
  EXPECT_TRUE(client_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) {
        return m.contact_name == "therapist-pending" && m.pending_replaces == "therapist";
      },
      seconds(1)));
  // The newcomer's crisis resources are not the ones shown for the therapist.
  auto info = client_->PracticeInfoFor("therapist");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_NE(info->resource_source, client::ResourceSource::kClinic);
  // Sending goes to the known contact only; the pending one is refused.
  EXPECT_FALSE(client_->SendText("therapist-pending", "hello?").ok());
  ASSERT_TRUE(client_->SendText("therapist", "thanks").ok());
  EXPECT_EQ(Sync(therapist_).new_messages, 1u);

  // Declining drops the newcomer; the known contact is untouched.
  ASSERT_TRUE(client_->DeclinePending("therapist").ok());
  auto contacts = client_->Contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ(contacts->front().name, "therapist");
  EXPECT_TRUE(contacts->front().pending_replacement.empty());
  EXPECT_EQ(client_->DeclinePending("therapist").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(client_->SendText("therapist", "still here").ok());
  EXPECT_EQ(Sync(therapist_).new_messages, 1u);
}

TEST_F(EngineRepairingTest, ConfirmingSwapsTheKnownContactOntoTheNewPairing) {
  ASSERT_TRUE(other_->SendText("sam", "welcome to the new practice").ok());
  EXPECT_EQ(Sync(client_).new_messages, 1u);
  ASSERT_TRUE(client_->MarkVerified("therapist").ok());
  auto contacts = client_->Contacts();
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  const client::ContactView& c = contacts->front();
  EXPECT_EQ(c.name, "therapist");
  EXPECT_EQ(c.state, client::ContactState::kActive);
  EXPECT_TRUE(c.verified);
  EXPECT_EQ(c.send_block, client::SendBlock::kNone);
  // The history kept both: the old conversation and the pending one's message.
  auto history = client_->History("therapist");
  ASSERT_TRUE(history.ok());
  bool has_welcome = false;
  for (const auto& h : *history) has_welcome |= h.summary == "welcome to the new practice";
  EXPECT_TRUE(has_welcome);
  // Now "therapist" is the new pairing: messages go there, and its
  // resources are the ones shown.
  ASSERT_TRUE(client_->SendText("therapist", "hello new practice").ok());
  EXPECT_EQ(Sync(other_).new_messages, 1u);
  auto info = client_->PracticeInfoFor("therapist");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->resource_source, client::ResourceSource::kClinic);
}

// Nobody confirms the re-pairing for a week (the client's clock moves on):
// the engine declines it and says so; the known contact is unchanged, what
// the newcomer sent stays readable, and its mailbox is gone from the relay.
TEST_F(EngineRepairingTest, UnconfirmedRePairingIsDeclinedAfterAWeek) {
  ASSERT_TRUE(other_->SendText("sam", "I am your therapist now").ok());
  EXPECT_EQ(Sync(client_).new_messages, 1u);
  // Six days: still pending.
  client_skew_ = 6 * 24 * 3600;
  Sync(client_);
  auto pending = client_->Contact("therapist-pending");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->state, client::ContactState::kPendingReplacement);

  client_skew_ = client::kPendingRePairingLifetimeSeconds + 60;
  Sync(client_);
  auto told = client_.events->WaitFor<ContactChanged>(
      [](const auto& c) {
        return c.change == ContactChanged::Change::kPendingExpired &&
               c.contact_name == "therapist-pending";
      },
      seconds(1));
  ASSERT_TRUE(told);
  EXPECT_NE(told->description.find("declined"), std::string::npos) << told->description;
  auto known = client_->Contact("therapist");
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known->state, client::ContactState::kActive);
  EXPECT_TRUE(known->pending_replacement.empty());
  auto declined = client_->Contact("therapist-pending");
  ASSERT_TRUE(declined.ok());
  EXPECT_EQ(declined->state, client::ContactState::kActive);
  EXPECT_EQ(declined->send_block, client::SendBlock::kDeclined);
  auto kept = client_->History("therapist-pending");
  ASSERT_TRUE(kept.ok());
  bool has_text = false;
  for (const auto& h : *kept) has_text |= h.summary == "I am your therapist now";
  EXPECT_TRUE(has_text);
  // Confirming it now changes nothing.
  auto late = client_->MarkVerified("therapist-pending");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kExpired);
  EXPECT_FALSE(client_->SendText("therapist-pending", "hello?").ok());
  // The newcomer's mailbox was deleted on the relay: its next message is
  // refused there instead of waiting unread.
  auto refused = other_->SendText("sam", "are you there?");
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_FALSE(refused->uploaded);
  EXPECT_NE(refused->pending_reason.find("no such mailbox"), std::string::npos)
      << refused->pending_reason;
  // The genuine therapist is unaffected.
  ASSERT_TRUE(therapist_->SendText("sam", "still me").ok());
  EXPECT_EQ(Sync(client_).new_messages, 1u);
  ASSERT_TRUE(client_->SendText("therapist", "thanks").ok());
  EXPECT_EQ(Sync(therapist_).new_messages, 1u);
}

// A confirm that comes too late (no sync in between) verifies nothing.
TEST_F(EngineRepairingTest, LateConfirmIsRefusedAndReplacesNothing) {
  client_skew_ = client::kPendingRePairingLifetimeSeconds + 60;
  auto late = client_->MarkVerified("therapist");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kExpired);
  auto known = client_->Contact("therapist");
  ASSERT_TRUE(known.ok());
  EXPECT_FALSE(known->verified);
  EXPECT_TRUE(known->pending_replacement.empty());
  EXPECT_TRUE(client_.events->WaitFor<ContactChanged>(
      [](const auto& c) { return c.change == ContactChanged::Change::kPendingExpired; },
      seconds(1)));
  // Messages still go to the genuine therapist.
  ASSERT_TRUE(client_->SendText("therapist", "are we still on for Thursday?").ok());
  EXPECT_EQ(Sync(therapist_).new_messages, 1u);
}

// After a confirm the known contact's old mailbox is deleted on the relay,
// even when the relay is down at that moment: the to-do survives a restart
// of the app and is done by the next sync.
TEST_F(EngineRepairingTest, ConfirmDeletesTheOldMailboxOnTheRelayLaterIfItIsDown) {
  ASSERT_TRUE(relay_->Terminate(std::chrono::milliseconds(10000)).has_value());
  ASSERT_TRUE(client_->MarkVerified("therapist").ok());  // confirm never waits for the relay
  auto contact = client_->Contact("therapist");
  ASSERT_TRUE(contact.ok());
  EXPECT_TRUE(contact->verified);
  EXPECT_TRUE(contact->pending_replacement.empty());
  // The app closes and opens again; then the relay is back.
  client_.engine.reset();
  auto reopened =
      client::Engine::Open((root_ / "client").string(), AsBytes("passphrase of client"));
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  client_.engine = std::move(reopened).value();
  ASSERT_TRUE(relay_->Restart(/*same_port=*/true).ok());
  Sync(client_);
  // The old therapist's device can no longer leave messages nobody reads.
  auto old = therapist_->SendText("sam", "still me");
  ASSERT_TRUE(old.ok()) << old.error().message;
  if (!old->uploaded && old->pending_reason.find("no such mailbox") == std::string::npos) {
    old = therapist_->SendText("sam", "still me, again");  // its pooled connection was stale
    ASSERT_TRUE(old.ok()) << old.error().message;
  }
  EXPECT_FALSE(old->uploaded);
  EXPECT_NE(old->pending_reason.find("no such mailbox"), std::string::npos) << old->pending_reason;
  // The new pairing works.
  ASSERT_TRUE(client_->SendText("therapist", "hello new practice").ok());
  EXPECT_EQ(Sync(other_).new_messages, 1u);
}

// The desktop app watches in the background while the command line (another
// process) confirms the re-pairing, which deletes the old mailbox on the
// relay and so closes the watching connection: the app stops watching that
// mailbox, reports no error for it, and keeps receiving on the new pairing.
TEST_F(EngineRepairingTest, BackgroundSyncStopsWatchingAMailboxRetiredElsewhere) {
  client::BackgroundSyncOptions options;
  // Rescans only when something asks for one: the refusal must trigger it.
  options.rescan = std::chrono::milliseconds(60000);
  ASSERT_TRUE(client_->StartBackgroundSync(options).ok());
  ASSERT_TRUE(client_.events->WaitFor<client::ConnectionChanged>(
      [](const auto& c) { return c.state == client::ConnectionState::kConnected; }, seconds(10)));
  {
    auto cli = client::Engine::Open((root_ / "client").string(), AsBytes("passphrase of client"));
    ASSERT_TRUE(cli.ok()) << cli.error().message;
    ASSERT_TRUE((*cli)->MarkVerified("therapist").ok());
  }
  ASSERT_TRUE(other_->SendText("sam", "welcome, this is the new practice").ok());
  EXPECT_TRUE(client_.events->WaitFor<client::MessageReceived>(
      [](const auto& m) { return m.summary == "welcome, this is the new practice"; }, seconds(30)));
  client_->StopBackgroundSync();
  for (const auto& e : client_.events->All<client::EngineError>()) {
    ADD_FAILURE() << "unexpected error: " << e.message;
  }
}

// A client's new device re-pairs (`invite --replaces sam`): once the
// therapist confirms it, it gets the office hours, crisis resources and the
// client's check-in schedule, as a freshly paired client would.
TEST_F(EnginePairingTest, ConfirmedRePairingGetsThePracticeSettings) {
  ASSERT_TRUE(Pair(therapist_, client_, "sam").ok());
  auto windows = therapy::OfficeHours::ParseWindows("Mon-Fri 09:00-17:00");
  ASSERT_TRUE(windows.ok());
  auto hours = therapy::OfficeHours::Create(*windows, "UTC", 24, "", "");
  ASSERT_TRUE(hours.ok());
  ASSERT_TRUE(therapist_->SetOfficeHours(*hours, "").ok());
  auto set = therapy::CrisisResourceSet::Create(
      "en-GB", {{"Samaritans", "116 123", therapy::CrisisContactKind::kCall, ""}});
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(therapist_->SetCrisisResources(*set, "").ok());
  auto cadence = therapy::Cadence::Parse("daily 20:00");
  ASSERT_TRUE(cadence.ok());
  therapy::CheckInSchedule schedule{
      {therapy::CheckInItem::kMood}, {therapy::InstrumentId::kPhq9}, *cadence, "", true};
  ASSERT_TRUE(therapist_->SendSchedule("sam", schedule).ok());

  auto phone = CreateClient(root_ / "phone", "Sam");
  ASSERT_TRUE(phone.ok()) << phone.error().message;
  EngineUnderTest new_phone = std::move(phone).value();
  client::InviteRequest request;
  request.replaces = "sam";
  auto invitation = therapist_->Invite(request);
  ASSERT_TRUE(invitation.ok()) << invitation.error().message;
  ASSERT_TRUE(new_phone->Accept(invitation->text, std::string("therapist")).ok());
  EXPECT_EQ(Sync(therapist_).paired, 1u);
  ASSERT_TRUE(therapist_->Contact("sam-pending").ok());
  // Nothing is pushed to an unconfirmed re-pairing.
  EXPECT_EQ(Sync(new_phone).practice_updates, 0u);

  ASSERT_TRUE(therapist_->MarkVerified("sam-pending").ok());
  client::SyncReport r = Sync(new_phone);
  EXPECT_EQ(r.practice_updates, 3u);
  auto info = new_phone->PracticeInfoFor("therapist");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->resource_source, client::ResourceSource::kClinic);
  EXPECT_TRUE(info->hours.has_value());
  auto active = new_phone->ActiveSchedule("therapist");
  ASSERT_TRUE(active.ok()) << active.error().message;
  EXPECT_TRUE(active->has_value());
}

}  // namespace
}  // namespace attune::testing
