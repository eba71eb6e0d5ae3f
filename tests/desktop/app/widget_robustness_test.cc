// The desktop app where things go wrong or run twice, against a real relay:
// two windows on one profile both work and see each other's messages; a
// damaged profile and an unreachable relay each give one sentence in the
// window and nothing hangs; the due check-in reminder follows the engine's
// (injected) clock.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTest>
#include <filesystem>
#include <fstream>

#include "attune/client/store/profile.h"
#include "attune/desktop/tools/check_in_dialog.h"
#include "attune/therapy/schedule.h"
#include "desktop_app_fixture.h"

namespace attune::desktop {
namespace {

using testing::SpinUntil;

bool Shows(MainWindow& w, const QString& text) {
  ConversationPane* pane = w.therapist_page() != nullptr ? w.therapist_page()->conversation()
                                                         : w.client_page()->conversation();
  ConversationModel& m = pane->model();
  for (int row = 0; row < m.rowCount(); ++row) {
    if (m.data(m.index(row), Qt::DisplayRole).toString() == text) return true;
  }
  return false;
}

// One sentence for a person: starts with a capital, ends with a full stop,
// no second sentence after it.
void ExpectOneSentence(const QString& text) {
  EXPECT_FALSE(text.isEmpty());
  EXPECT_TRUE(text.front().isUpper()) << text.toStdString();
  EXPECT_TRUE(text.endsWith(u'.')) << text.toStdString();
  EXPECT_FALSE(text.chopped(1).contains(QStringLiteral(". "))) << text.toStdString();
}

TEST_F(DesktopApp, TwoWindowsOnOneProfileBothWork) {
  std::unique_ptr<MainWindow> therapist;
  std::unique_ptr<MainWindow> first;
  OpenPairedWindows(therapist, first);
  therapist->therapist_page()->Select("ana");

  // A second running instance on the same profile: unlocks and is paired.
  auto second = Window("client");
  Unlock(*second, kClientPass);
  ASSERT_TRUE(second->unlocked()) << second->unlock_page()->error()->text().toStdString();
  ASSERT_TRUE(SpinUntil([&] { return second->client_page()->paired(); }));
  second->runner()->WaitForIdle();  // its first change mark is taken
  QCoreApplication::processEvents();

  // Sent from the first window: the therapist gets it, the second window shows it.
  const QString from_first = QStringLiteral("Sent from the first window");
  Composer* composer = first->client_page()->conversation()->composer();
  TypeInto(composer, from_first);
  QTest::keyClick(composer, Qt::Key_Return);
  ASSERT_TRUE(SpinUntil([&] { return Shows(*therapist, from_first); }));
  ASSERT_TRUE(SpinUntil([&] {
    second->CheckOutsideChanges();  // the timer's tick
    return Shows(*second, from_first);
  }));

  // And the other way: sent from the second, shown in the first.
  const QString from_second = QStringLiteral("Sent from the second window");
  composer = second->client_page()->conversation()->composer();
  TypeInto(composer, from_second);
  QTest::keyClick(composer, Qt::Key_Return);
  ASSERT_TRUE(SpinUntil([&] { return Shows(*therapist, from_second); }));
  ASSERT_TRUE(SpinUntil([&] {
    first->CheckOutsideChanges();
    return Shows(*first, from_second);
  }));

  // The therapist's reply reaches the profile once; both windows show it.
  const QString reply = QStringLiteral("Both arrived, thank you");
  composer = therapist->therapist_page()->conversation()->composer();
  TypeInto(composer, reply);
  QTest::keyClick(composer, Qt::Key_Return);
  ASSERT_TRUE(SpinUntil([&] {
    first->CheckOutsideChanges();
    second->CheckOutsideChanges();
    return Shows(*first, reply) && Shows(*second, reply);
  }));
  SaveScreens(*second, "client-second-window");
  // No error in either window.
  for (MainWindow* w : {first.get(), second.get()}) {
    const QString status = w->statusBar()->currentMessage();
    EXPECT_TRUE(status.isEmpty() || status == QStringLiteral("Connected.")) << status.toStdString();
  }
}

TEST_F(DesktopApp, DamagedProfileIsOneSentenceAndNothingHangs) {
  {
    auto w = Window("client");
    CreateProfile(*w, false, "Ana", kClientPass);
  }
  {
    // Bytes flipped inside the first pages after the header, whatever the
    // page size: every read of them fails authentication.
    std::fstream f(root_.path() / "client" / std::string(client::store::kDatabaseFileName),
                   std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    for (std::streamoff offset : {std::streamoff(1024 + 300), std::streamoff(4096 + 300)}) {
      f.seekp(offset);
      f.write("DAMAGEDDAMAGED", 14);
    }
  }
  auto w = Window("client");
  Unlock(*w, kClientPass);
  // Refused at once (the first queries read the damaged pages) or opened
  // and then stopped by the deferred page check: either way one sentence.
  QString said;
  ASSERT_TRUE(SpinUntil([&] {
    said = w->unlocked() ? w->statusBar()->currentMessage() : w->unlock_page()->error()->text();
    return !said.isEmpty();
  }));
  SaveScreens(*w, "client-damaged-profile");
  ExpectOneSentence(said);
  EXPECT_TRUE(said.contains(QStringLiteral("damaged"))) << said.toStdString();
  // Still responsive: the window locks (or stays on the unlock screen).
  w->Lock();
  EXPECT_FALSE(w->unlocked());
  EXPECT_EQ(w->current_page(), w->unlock_page());
}

TEST_F(DesktopApp, UnreachableRelayIsOneSentenceAndNothingHangs) {
  std::unique_ptr<MainWindow> therapist;
  std::unique_ptr<MainWindow> client;
  OpenPairedWindows(therapist, client);
  relay_->Kill9();

  ConversationPane* pane = client->client_page()->conversation();
  TypeInto(pane->composer(), QStringLiteral("Are you there?"));
  QTest::keyClick(pane->composer(), Qt::Key_Return);
  // Answered without hanging: the composer is back, the row is queued.
  ASSERT_TRUE(SpinUntil([&] { return Shows(*client, QStringLiteral("Are you there?")); }));
  ASSERT_TRUE(SpinUntil([&] { return pane->composer()->isEnabled(); }));
  ConversationModel& model = pane->model();
  EXPECT_EQ(model.data(model.index(model.rowCount() - 1), ConversationModel::kStatusTextRole),
            QStringLiteral("queued"));
  // The window says so in one sentence (the background sync's report:
  // the link is down, or the upload is still waiting for the relay).
  QString status;
  ASSERT_TRUE(SpinUntil([&] {
    status = client->statusBar()->currentMessage();
    return status.startsWith(QStringLiteral("Cannot"));
  })) << status.toStdString();
  EXPECT_TRUE(status.contains(QStringLiteral("relay"))) << status.toStdString();
  ExpectOneSentence(status);
  SaveScreens(*client, "client-relay-unreachable");

  // Still responsive: it locks at once (background sync stops while the
  // relay is down; the message stays queued in the profile).
  client->Lock();
  EXPECT_FALSE(client->unlocked());
  EXPECT_EQ(client->current_page(), client->unlock_page());
}

TEST_F(DesktopApp, DueCheckInReminderFollowsTheEngineClock) {
  bool schedule_arrived = false;  // outlives the windows that set it
  const uint64_t start = client::SystemNow();
  wall_now_ = start;
  std::unique_ptr<MainWindow> therapist;
  std::unique_ptr<MainWindow> client;
  OpenPairedWindows(therapist, client);
  ClientPage* cpage = client->client_page();
  QObject::connect(
      client->runner(), &EngineRunner::engineEvent, client.get(), [&](const client::Event& event) {
        const auto* c = std::get_if<client::ContactChanged>(&event);
        if (c != nullptr && c->change == client::ContactChanged::Change::kPracticeUpdated &&
            c->description.find("20:00") != std::string::npos) {
          schedule_arrived = true;
        }
      });

  // Daily at 20:00 UTC, mood only.
  ScheduleDaily(*therapist, "ana", {}, "UTC");
  // Received (a practice update): the reminder is checked, not yet due.
  ASSERT_TRUE(SpinUntil([&] { return schedule_arrived; }));
  cpage->RefreshDue();
  client->runner()->WaitForIdle();
  QCoreApplication::processEvents();
  EXPECT_TRUE(cpage->due()->isHidden()) << cpage->due()->text().toStdString();

  // The clock passes the next 20:00 UTC: the reminder appears (the page's
  // minute timer, ticked by hand).
  uint64_t next = start - start % 86400 + 20 * 3600;
  if (next <= start) next += 86400;
  wall_now_ = next + 60;
  cpage->RefreshDue();
  ASSERT_TRUE(SpinUntil([&] { return cpage->due()->isVisible(); }));
  EXPECT_TRUE(cpage->due()->text().contains(QStringLiteral("due")))
      << cpage->due()->text().toStdString();
  SaveScreens(*client, "client-check-in-due");

  // Checked in: the reminder goes.
  QTest::mouseClick(cpage->checkin_button(), Qt::LeftButton);
  auto* form = cpage->findChild<tools::CheckInDialog*>();
  ASSERT_NE(form, nullptr);
  ASSERT_TRUE(SpinUntil([&] { return form->scheduleLoaded(); }));
  auto* mood = form->findChild<QSpinBox*>(QStringLiteral("checkInMood"));
  ASSERT_NE(mood, nullptr);
  mood->setValue(6);
  QSignalSpy sent(form, &tools::CheckInDialog::sent);
  QTest::mouseClick(form->findChild<QPushButton*>(QStringLiteral("checkInSend")), Qt::LeftButton);
  ASSERT_TRUE(sent.count() > 0 || sent.wait(testing::kWaitMs));
  ASSERT_TRUE(SpinUntil([&] { return cpage->due()->isHidden(); }));
}

}  // namespace
}  // namespace attune::desktop
