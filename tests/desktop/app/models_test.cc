// The desktop app's models and logic without any widget: the contact list in
// the engine's attention order with urgent check-ins pinned until
// acknowledged, the conversation kept current from engine events, the
// strength hint, notification texts and the idle lock's clock.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QSignalSpy>

#include "attune/desktop/contact_list_model.h"
#include "attune/desktop/conversation_model.h"
#include "attune/desktop/idle_lock.h"
#include "attune/desktop/notification_text.h"
#include "attune/desktop/passphrase_strength.h"
#include "attune/therapy/check_in.h"
#include "desktop_test_support.h"
#include "engine_support.h"

namespace attune::desktop {
namespace {

using attune::testing::EngineUnderTest;
using attune::testing::RelayUnderTest;
using attune::testing::TempDir;
using testing::SpinUntil;

TEST(PassphraseStrength, SaysWhatTheEstimateIsBasedOn) {
  EXPECT_EQ(EstimateStrength("").level, StrengthHint::Level::kEmpty);
  EXPECT_EQ(EstimateStrength("abc12").level, StrengthHint::Level::kTooShort);
  EXPECT_EQ(EstimateStrength("aaaaaaaaaa").level, StrengthHint::Level::kWeak);
  const StrengthHint strong = EstimateStrength("quiet Harbor lamp 42 orbit");
  EXPECT_EQ(strong.level, StrengthHint::Level::kStrong);
  EXPECT_TRUE(strong.text.contains("length and kinds of characters"));
  EXPECT_GT(strong.estimated_bits, 100);
}

TEST(Notifications, CarryNoNameOrContentUnlessAskedTo) {
  client::MessageReceived m;
  m.contact_name = "Sam";
  m.summary = "I had a hard day";
  auto plain = NotificationFor(m, false);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->title, "New message in Attune");
  EXPECT_TRUE(plain->body.isEmpty());
  auto detailed = NotificationFor(m, true);
  ASSERT_TRUE(detailed.has_value());
  EXPECT_TRUE(detailed->body.contains("Sam"));
  EXPECT_TRUE(detailed->body.contains("hard day"));

  client::CheckInReceived urgent;
  urgent.contact_name = "Sam";
  urgent.urgent = true;
  urgent.risk = "PHQ-9 item 9 answered 2";
  auto u = NotificationFor(urgent, false);
  ASSERT_TRUE(u.has_value());
  EXPECT_TRUE(u->urgent);
  EXPECT_FALSE(u->title.contains("Sam"));
  EXPECT_TRUE(u->body.isEmpty());
  // A check-in's MessageReceived twin is not notified twice.
  m.kind = client::MessageKind::kCheckIn;
  EXPECT_FALSE(NotificationFor(m, false).has_value());
  EXPECT_FALSE(NotificationFor(client::MessagesDelivered{}, true).has_value());
}

TEST(IdleLock, FiresOnceAfterTheTimeoutWithoutInput) {
  testing::FakeClock clock;
  IdleLock lock(std::chrono::minutes(5), clock.fn());
  QSignalSpy idle(&lock, &IdleLock::idle);
  lock.Check();
  EXPECT_EQ(idle.count(), 0);  // not armed
  lock.Arm();
  clock.now += std::chrono::minutes(4);
  QObject target;
  QEvent key(QEvent::KeyPress);
  lock.eventFilter(&target, &key);  // input resets the count
  clock.now += std::chrono::minutes(4);
  lock.Check();
  EXPECT_EQ(idle.count(), 0);
  clock.now += std::chrono::minutes(1);
  lock.Check();
  EXPECT_EQ(idle.count(), 1);
  lock.Check();
  EXPECT_EQ(idle.count(), 1);  // disarmed until the next unlock
  EXPECT_FALSE(lock.armed());
}

class ModelsWithRelay : public ::testing::Test {
 protected:
  void SetUp() override {
    auto relay = RelayUnderTest::Start();
    ASSERT_TRUE(relay.ok()) << relay.error().ToString();
    relay_ = std::move(relay).value();
    auto t = attune::testing::CreateTherapist(root_.path() / "t", *relay_);
    ASSERT_TRUE(t.ok()) << t.error().ToString();
    therapist_ = std::move(t).value();
    for (const char* name : {"ana", "ben"}) {
      auto c = attune::testing::CreateClient(root_.path() / name, name);
      ASSERT_TRUE(c.ok());
      clients_.push_back(std::move(c).value());
      auto st = attune::testing::Pair(therapist_, clients_.back(), name);
      ASSERT_TRUE(st.ok()) << st.error().ToString();
    }
  }

  therapy::CheckIn RiskyCheckIn() {
    therapy::CheckInInput in;
    in.mood = 2;
    in.instruments.push_back(
        {therapy::InstrumentId::kPhq9, {1, 1, 1, 1, 1, 1, 1, 1, 2}, std::nullopt});
    in.filled_at = static_cast<int64_t>(client::SystemNow());
    auto c = therapy::CheckIn::Create(in);
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }

  TempDir root_{"attune-desktop-models"};
  std::unique_ptr<RelayUnderTest> relay_;
  EngineUnderTest therapist_;
  std::vector<EngineUnderTest> clients_;
};

TEST_F(ModelsWithRelay, UrgentCheckInIsPinnedFirstUntilAcknowledged) {
  // ana writes (unread), ben sends a check-in with PHQ-9 item 9 = 2.
  ASSERT_TRUE(clients_[0]->SendText("therapist", "hello").ok());
  ASSERT_TRUE(clients_[1]->SendCheckIn("therapist", RiskyCheckIn()).ok());
  EngineRunner runner(std::move(therapist_.engine));
  ContactListModel model(runner);
  QSignalSpy reloaded(&model, &ContactListModel::reloaded);
  runner.Post([](client::Engine& e) { (void)e.StartBackgroundSync(); });
  ASSERT_TRUE(SpinUntil([&] {
    return model.rowCount() == 2 && model.At(0)->urgent_unacknowledged == 1 &&
           model.At(1)->unread == 1;
  }));
  EXPECT_EQ(model.data(model.index(0), ContactListModel::kNameRole).toString(), "ben");
  EXPECT_TRUE(model.data(model.index(0), Qt::DisplayRole).toString().startsWith("URGENT"));
  EXPECT_EQ(model.data(model.index(1), ContactListModel::kNameRole).toString(), "ana");
  EXPECT_EQ(model.data(model.index(1), ContactListModel::kUnreadRole).toInt(), 1);

  // Acknowledged and read: the badge goes and the order falls back to names.
  runner.Run(
      &model,
      [](client::Engine& e) {
        (void)e.AcknowledgeUrgent("ben");
        (void)e.MarkConversationRead("ben");
        return e.MarkConversationRead("ana");
      },
      [&](Result<size_t>) { model.Reload(); });
  ASSERT_TRUE(SpinUntil([&] {
    return model.rowCount() == 2 && model.At(0)->urgent_unacknowledged == 0 &&
           model.At(0)->unread == 0 && model.At(1)->unread == 0;
  }));
  EXPECT_EQ(model.data(model.index(0), ContactListModel::kNameRole).toString(), "ana");
  EXPECT_FALSE(model.data(model.index(1), Qt::DisplayRole).toString().contains("URGENT"));
}

TEST_F(ModelsWithRelay, ConversationFollowsEngineEvents) {
  ASSERT_TRUE(therapist_->SendText("ana", "first from therapist").ok());
  ASSERT_TRUE(attune::testing::QuickSync(clients_[0]).ok());
  const int64_t ana_id = [&] {
    auto c = therapist_->Contact("ana");
    return c.ok() ? c->id : 0;
  }();
  EngineRunner runner(std::move(therapist_.engine));
  ConversationModel model(runner);
  QSignalSpy loaded(&model, &ConversationModel::loaded);
  model.SetContact("ana", ana_id);
  ASSERT_TRUE(loaded.wait(testing::kWaitMs));
  ASSERT_EQ(model.rowCount(), 1);
  EXPECT_TRUE(model.data(model.index(0), ConversationModel::kOutgoingRole).toBool());
  runner.Post([](client::Engine& e) { (void)e.StartBackgroundSync(); });

  // The receipt from ana's device turns "sent" into "delivered"; her reply
  // is appended from its event.
  ASSERT_TRUE(SpinUntil([&] {
    return model.data(model.index(0), ConversationModel::kStatusTextRole).toString() == "delivered";
  }));
  ASSERT_TRUE(clients_[0]->SendText("therapist", "reply from ana").ok());
  ASSERT_TRUE(SpinUntil([&] { return model.rowCount() == 2; }));
  EXPECT_FALSE(model.data(model.index(1), ConversationModel::kOutgoingRole).toBool());
  EXPECT_EQ(model.data(model.index(1), Qt::DisplayRole).toString(), "reply from ana");
  EXPECT_TRUE(model.data(model.index(1), Qt::AccessibleTextRole).toString().contains("ana"));
}

TEST_F(ModelsWithRelay, ConversationOpensAtItsNewestPageAndLoadsOlderOnesOnRequest) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(clients_[0]->SendText("therapist", "text " + std::to_string(i)).ok());
  }
  therapy::CheckInInput input;
  input.mood = 6;
  input.instruments.push_back(
      {therapy::InstrumentId::kPhq9, {1, 1, 1, 1, 1, 1, 1, 1, 2}, std::nullopt});
  ASSERT_TRUE(clients_[0]->SendCheckInNow("therapist", input).ok());
  ASSERT_TRUE(attune::testing::QuickSync(therapist_).ok());
  const int64_t ana_id = therapist_->Contact("ana").value().id;
  EngineRunner runner(std::move(therapist_.engine));
  ConversationModel model(runner);
  model.set_page_rows(3);
  QSignalSpy loaded(&model, &ConversationModel::loaded);
  model.SetContact("ana", ana_id);
  ASSERT_TRUE(loaded.wait(testing::kWaitMs));
  // Only the newest three rows are read and laid out at first.
  ASSERT_EQ(model.rowCount(), 3);
  EXPECT_TRUE(model.HasEarlier());
  EXPECT_EQ(model.data(model.index(0), Qt::DisplayRole).toString(), "text 5");
  // The check-in is a card, and says so in words.
  const QModelIndex card = model.index(2);
  EXPECT_TRUE(model.data(card, ConversationModel::kCheckInRole).toBool());
  const QString text = model.data(card, Qt::DisplayRole).toString();
  EXPECT_TRUE(text.startsWith("Urgent check-in")) << text.toStdString();
  EXPECT_TRUE(text.contains("Mood: 6 of 10")) << text.toStdString();
  EXPECT_TRUE(text.contains("PHQ-9: 10 of 27 · Moderate")) << text.toStdString();
  EXPECT_TRUE(text.contains("Needs attention: PHQ-9 item 9")) << text.toStdString();
  EXPECT_FALSE(text.contains("[check-in")) << text.toStdString();

  QSignalSpy earlier(&model, &ConversationModel::earlierLoaded);
  model.LoadEarlier();
  model.LoadEarlier();  // one request at a time
  ASSERT_TRUE(earlier.wait(testing::kWaitMs));
  EXPECT_EQ(earlier.count(), 1);
  EXPECT_EQ(earlier.at(0).at(0).toInt(), 3);
  ASSERT_EQ(model.rowCount(), 6);
  EXPECT_EQ(model.data(model.index(0), Qt::DisplayRole).toString(), "text 2");
  EXPECT_TRUE(model.HasEarlier());
  model.LoadEarlier();
  ASSERT_TRUE(earlier.wait(testing::kWaitMs));
  ASSERT_EQ(model.rowCount(), 8);
  EXPECT_EQ(model.data(model.index(0), Qt::DisplayRole).toString(), "text 0");
  EXPECT_FALSE(model.HasEarlier());
}

}  // namespace
}  // namespace attune::desktop

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
