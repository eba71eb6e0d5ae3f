// CheckInDialog and CrisisResourcesDialog driven like a client would, on a
// real relay: the scheduled PHQ-9 with its published wording; item 9
// answered 2 shows the crisis resources at once, before anything is sent;
// the check-in then arrives urgent at the therapist. With the relay down,
// "I need help now" still shows them at once and the check-in stays queued;
// the resources window shows the clinic's own set, and says why, offline.
// The form asks only what is scheduled, and the check-in carries the
// engine's (injected) clock.
#include "attune/desktop/tools/check_in_dialog.h"

#include <QAbstractButton>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "attune/client/engine.h"
#include "attune/desktop/tools/crisis_resources_dialog.h"
#include "attune/therapy/instrument.h"
#include "tools_test_support.h"

namespace attune::desktop::tools {
namespace {

class CheckInDialogTest : public ToolsTest {
 protected:
  void SetUp() override {
    Start(/*pair=*/true);
    auto cadence = therapy::Cadence::Parse("daily 20:00");
    ASSERT_TRUE(cadence.ok());
    therapy::CheckInSchedule schedule{{therapy::CheckInItem::kMood, therapy::CheckInItem::kSleep},
                                      {therapy::InstrumentId::kPhq9},
                                      *cadence,
                                      "",
                                      true};
    auto pushed =
        Call(*therapist_, [&](client::Engine& e) { return e.SendSchedule("sam", schedule); });
    ASSERT_TRUE(pushed.ok()) << pushed.error().message;
    Sync(*client_);
  }

  static QAbstractButton* Answer(QDialog& dialog, int item, int value) {
    return dialog.findChild<QAbstractButton*>(
        QStringLiteral("PHQ-9-item%1-answer%2").arg(item).arg(value));
  }
};

TEST_F(CheckInDialogTest, RiskShowsResourcesBeforeSendingAndArrivesUrgent) {
  CheckInDialog dialog(*client_, QStringLiteral("therapist"), nullptr);
  dialog.resize(700, 800);
  dialog.show();
  QTRY_VERIFY_WITH_TIMEOUT(dialog.scheduleLoaded(), 10000);
  // Widgets added to a shown dialog appear on the next event loop turn.
  QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QWidget*>(QStringLiteral("checkInSleep"))->isVisible(),
                           10000);
  auto* phq = dialog.findChild<QGroupBox*>(QStringLiteral("PHQ-9"));
  ASSERT_NE(phq, nullptr);
  const therapy::InstrumentSpec& spec = therapy::GetInstrument(therapy::InstrumentId::kPhq9);
  EXPECT_TRUE(phq->title().contains(QString::fromUtf8(spec.title.data(), spec.title.size())));
  auto* attribution = dialog.findChild<QLabel*>(QStringLiteral("checkInAttribution"));
  ASSERT_NE(attribution, nullptr);
  EXPECT_TRUE(attribution->text().contains(QStringLiteral("Pfizer")));
  ASSERT_NE(Answer(dialog, 1, 3), nullptr);
  EXPECT_EQ(Answer(dialog, 1, 3)->text().toStdString(), std::string(spec.options[3]));

  for (int item = 1; item <= 8; ++item) QTest::mouseClick(Answer(dialog, item, 1), Qt::LeftButton);
  EXPECT_FALSE(dialog.resourcesShown());
  SaveScreens(dialog, QStringLiteral("check-in-dialog"));
  // Item 9 answered 2: the resources are on screen right after the click,
  // with no event loop turn and nothing sent.
  QTest::mouseClick(Answer(dialog, 9, 2), Qt::LeftButton);
  EXPECT_TRUE(dialog.resourcesShown());
  EXPECT_TRUE(dialog.resourcesText().contains(QStringLiteral("988")))
      << dialog.resourcesText().toStdString();
  EXPECT_EQ(Sync(*therapist_).new_messages, 0u);
  SaveScreens(dialog, QStringLiteral("check-in-dialog-risk"));

  QSignalSpy sent(&dialog, &CheckInDialog::sent);
  QTest::keyClicks(dialog.findChild<QWidget*>(QStringLiteral("checkInSleep")),
                   QStringLiteral("6:30"));
  QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("checkInSend")), Qt::LeftButton);
  ASSERT_TRUE(sent.wait(15000));
  EXPECT_TRUE(dialog.statusText().startsWith(QStringLiteral("Sent")))
      << dialog.statusText().toStdString();
  EXPECT_TRUE(dialog.resourcesShown());  // stays up after sending

  EXPECT_EQ(Sync(*therapist_).new_messages, 1u);
  auto urgent = therapist_events_->WaitFor<client::CheckInReceived>(
      [](const auto& c) { return c.urgent; }, std::chrono::seconds(5));
  ASSERT_TRUE(urgent);
  EXPECT_NE(urgent->risk.find("item 9"), std::string::npos) << urgent->risk;
  auto rows = Call(*therapist_, [](client::Engine& e) { return e.CheckIns("sam"); });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().sleep_minutes, 390u);
}

TEST_F(CheckInDialogTest, OfflineHelpNowShowsResourcesAtOnceAndQueues) {
  // The clinic's own set reaches the client first.
  auto set = therapy::CrisisResourceSet::Create(
      "en-GB", {{"Samaritans", "116 123", therapy::CrisisContactKind::kCall, ""}});
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(
      Call(*therapist_, [&](client::Engine& e) { return e.SetCrisisResources(*set, ""); }).ok());
  Sync(*client_);
  relay_->Kill9();

  CrisisResourcesDialog resources(*client_, QStringLiteral("therapist"), nullptr);
  resources.show();
  EXPECT_FALSE(resources.resourcesText().isEmpty());  // at once
  QTRY_VERIFY_WITH_TIMEOUT(resources.resourcesText().contains(QStringLiteral("Samaritans")), 10000);
  EXPECT_FALSE(resources.whyText().isEmpty());
  SaveScreens(resources, QStringLiteral("crisis-resources-dialog"));
  QTest::keyClick(&resources, Qt::Key_Escape);
  EXPECT_FALSE(resources.isVisible());

  CheckInDialog dialog(*client_, QStringLiteral("therapist"), nullptr);
  dialog.resize(700, 800);  // the clicked answers lie inside the scroll area's view
  dialog.show();
  QTRY_VERIFY_WITH_TIMEOUT(dialog.scheduleLoaded(), 10000);
  // Widgets added to a shown dialog appear on the next event loop turn.
  QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QWidget*>(QStringLiteral("checkInSleep"))->isVisible(),
                           10000);
  QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("checkInHelpNow")),
                    Qt::LeftButton);
  EXPECT_TRUE(dialog.resourcesShown());
  EXPECT_TRUE(dialog.resourcesText().contains(QStringLiteral("Samaritans")));
  auto* mood = dialog.findChild<QWidget*>(QStringLiteral("checkInMood"));
  mood->setFocus();
  for (int i = 0; i < 3; ++i) QTest::keyClick(mood, Qt::Key_Up);  // -1 -> 2
  QSignalSpy sent(&dialog, &CheckInDialog::sent);
  QTest::keyClick(mood, Qt::Key_Return);  // Send is the default button
  ASSERT_TRUE(sent.wait(30000));
  EXPECT_TRUE(dialog.statusText().contains(QStringLiteral("when the relay can be reached")))
      << dialog.statusText().toStdString();
}

TEST_F(CheckInDialogTest, HalfAnsweredQuestionnaireIsOneSentenceAndNothingSent) {
  CheckInDialog dialog(*client_, QStringLiteral("therapist"), nullptr);
  dialog.resize(700, 800);  // the clicked answers lie inside the scroll area's view
  dialog.show();
  QTRY_VERIFY_WITH_TIMEOUT(dialog.scheduleLoaded(), 10000);
  // Widgets added to a shown dialog appear on the next event loop turn.
  QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QWidget*>(QStringLiteral("checkInSleep"))->isVisible(),
                           10000);
  QTest::mouseClick(Answer(dialog, 1, 0), Qt::LeftButton);
  QSignalSpy sent(&dialog, &CheckInDialog::sent);
  QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("checkInSend")), Qt::LeftButton);
  EXPECT_TRUE(dialog.statusText().contains(QStringLiteral("8 remaining")))
      << dialog.statusText().toStdString();
  EXPECT_EQ(sent.count(), 0);
  EXPECT_EQ(Sync(*therapist_).new_messages, 0u);
}

TEST_F(CheckInDialogTest, AsksOnlyWhatIsScheduledAndTheEngineClockStampsIt) {
  // The client's engine on a clock the test sets (the app's engines take
  // theirs from AppOptions); the system clock says something else.
  constexpr int64_t kAt = 1'900'000'000;
  client_.reset();
  client::EngineOptions options;
  options.now = [] { return static_cast<uint64_t>(kAt); };
  const std::string passphrase = "passphrase of client";  // engine_support.cc's
  auto engine = client::Engine::Open((root_ / "client").string(), AsBytes(passphrase), options);
  ASSERT_TRUE(engine.ok()) << engine.error().message;
  client_ = std::make_unique<EngineRunner>(std::move(engine).value());

  CheckInDialog dialog(*client_, QStringLiteral("therapist"), nullptr);
  dialog.show();
  QTRY_VERIFY_WITH_TIMEOUT(dialog.scheduleLoaded(), 10000);
  QTRY_VERIFY_WITH_TIMEOUT(dialog.findChild<QWidget*>(QStringLiteral("checkInSleep"))->isVisible(),
                           10000);
  // Scheduled: mood, sleep and the PHQ-9 — not anxiety, not a note, no GAD-7.
  EXPECT_NE(dialog.findChild<QWidget*>(QStringLiteral("checkInMood")), nullptr);
  EXPECT_EQ(dialog.findChild<QWidget*>(QStringLiteral("checkInAnxiety")), nullptr);
  EXPECT_EQ(dialog.findChild<QWidget*>(QStringLiteral("checkInNote")), nullptr);
  EXPECT_NE(dialog.findChild<QGroupBox*>(QStringLiteral("PHQ-9")), nullptr);
  EXPECT_EQ(dialog.findChild<QGroupBox*>(QStringLiteral("GAD-7")), nullptr);
  // Readable without resizing: at least 60 average characters wide.
  EXPECT_GE(dialog.width(), dialog.fontMetrics().averageCharWidth() * 60);

  auto* sleep = dialog.findChild<QWidget*>(QStringLiteral("checkInSleep"));
  sleep->setFocus();
  QTest::keyClicks(sleep, QStringLiteral("8"));
  QSignalSpy sent(&dialog, &CheckInDialog::sent);
  QTest::keyClick(sleep, Qt::Key_Return);  // Send is the default button
  ASSERT_TRUE(sent.wait(15000)) << dialog.statusText().toStdString();
  EXPECT_EQ(Sync(*therapist_).new_messages, 1u);
  auto rows = Call(*therapist_, [](client::Engine& e) { return e.CheckIns("sam"); });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().filled_at, kAt);
  EXPECT_EQ(rows->front().sleep_minutes, 480u);
}

}  // namespace
}  // namespace attune::desktop::tools
