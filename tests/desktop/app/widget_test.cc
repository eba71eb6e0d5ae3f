// attune-desktop driven as a person uses it: QTest clicks and keys on the
// real window, a real attune-relay on 127.0.0.1, two windows (therapist and
// client) on their own profiles (desktop_app_fixture.h). Every main screen
// is saved as a PNG (light and dark) for a reviewer.
#include <gtest/gtest.h>

#include <QAbstractButton>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "attune/desktop/main_window.h"
#include "attune/desktop/tools/check_in_dialog.h"
#include "attune/desktop/tools/check_in_table_model.h"
#include "attune/desktop/tools/check_ins_view.h"
#include "attune/desktop/tools/crisis_resources_dialog.h"
#include "attune/desktop/tools/invite_dialog.h"
#include "attune/desktop/tools/verify_dialog.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/content.h"
#include "attune/therapy/schedule.h"
#include "desktop_app_fixture.h"

namespace attune::desktop {
namespace {

using testing::SpinUntil;

TEST_F(DesktopApp, FirstRunRefusesBadInputThenUnlockRefusesAWrongPassphrase) {
  auto w = Window("therapist");
  FirstRunPage* page = w->first_run_page();
  SaveScreens(*w, "first-run");
  // A mistyped enrollment code: one sentence, nothing created.
  page->role()->setCurrentIndex(1);
  TypeInto(page->name(), "Dr Rivera");
  TypeInto(page->passphrase(), kTherapistPass);
  TypeInto(page->confirmation(), kTherapistPass);
  std::string code = EnrollmentCode(*relay_);
  code[code.size() / 2] = code[code.size() / 2] == 'A' ? 'B' : 'A';
  page->enrollment()->setPlainText(QString::fromStdString(code));
  QTest::mouseClick(page->create(), Qt::LeftButton);
  SaveScreens(*w, "first-run-therapist-mistyped-code");
  EXPECT_TRUE(page->error()->isVisible());
  EXPECT_TRUE(page->error()->text().contains("mistyped"));
  EXPECT_FALSE(w->unlocked());
  // Different confirmations: refused too.
  page->enrollment()->setPlainText(QString::fromStdString(EnrollmentCode(*relay_)));
  page->confirmation()->clear();
  TypeInto(page->confirmation(), "something else entirely");
  QTest::mouseClick(page->create(), Qt::LeftButton);
  EXPECT_TRUE(page->error()->text().contains("differ"));
  EXPECT_FALSE(w->unlocked());
  // Fixed: the profile is created off the GUI thread and the main screen shows.
  TypeInto(page->confirmation(), kTherapistPass);
  QTest::keyClick(page->confirmation(), Qt::Key_Return);
  ASSERT_TRUE(SpinUntil([&] { return w->unlocked(); })) << page->error()->text().toStdString();
  ASSERT_NE(w->therapist_page(), nullptr);
  SaveScreens(*w, "therapist-empty");

  // Ctrl+L locks: the engine is gone, the unlock screen shows.
  QTest::keyClick(w.get(), Qt::Key_L, Qt::ControlModifier);
  ASSERT_FALSE(w->unlocked());
  UnlockPage* unlock = w->unlock_page();
  EXPECT_EQ(w->current_page(), unlock);
  SaveScreens(*w, "unlock");
  TypeInto(unlock->passphrase(), "not my passphrase");
  QTest::keyClick(unlock->passphrase(), Qt::Key_Return);
  ASSERT_TRUE(SpinUntil([&] { return unlock->error()->isVisible(); }));
  EXPECT_FALSE(w->unlocked());
  EXPECT_EQ(w->current_page(), unlock);
  EXPECT_FALSE(unlock->error()->text().isEmpty());
  SaveScreens(*w, "unlock-wrong-passphrase");
  TypeInto(unlock->passphrase(), kTherapistPass);
  QTest::mouseClick(unlock->unlock(), Qt::LeftButton);
  ASSERT_TRUE(SpinUntil([&] { return w->unlocked(); }));
  EXPECT_NE(w->therapist_page(), nullptr);
}

TEST_F(DesktopApp, TherapistAndClientPairWriteAndAnUrgentCheckInIsPinned) {
  auto therapist = Window("therapist");
  CreateProfile(*therapist, true, "Dr Rivera", kTherapistPass);
  auto client = Window("client");
  SaveScreens(*client, "client-first-run");
  CreateProfile(*client, false, "Ana", kClientPass);
  ClientPage* cpage = client->client_page();
  ASSERT_NE(cpage, nullptr);
  SaveScreens(*client, "client-pairing");

  // Ctrl+I opens the invitation dialog; the client pastes the code it shows.
  TherapistPage* tpage = therapist->therapist_page();
  QApplication::setActiveWindow(therapist.get());
  tpage->contact_list()->setFocus();
  QTest::keyClick(tpage->contact_list(), Qt::Key_I, Qt::ControlModifier);
  auto* invite = tpage->findChild<tools::InviteDialog*>();
  if (invite == nullptr) {
    ADD_FAILURE() << "Ctrl+I did not open the invitation dialog";
    QTest::mouseClick(tpage->invite_button(), Qt::LeftButton);
    invite = tpage->findChild<tools::InviteDialog*>();
  }
  ASSERT_NE(invite, nullptr);
  auto* invite_name = invite->findChild<QLineEdit*>(QStringLiteral("inviteName"));
  ASSERT_NE(invite_name, nullptr);
  TypeInto(invite_name, "ana");
  QTest::keyClick(invite_name, Qt::Key_Return);
  ASSERT_TRUE(SpinUntil([&] { return !invite->code().isEmpty(); }))
      << invite->errorText().toStdString();
  SaveScreens(*invite, "therapist-invite-dialog");
  const std::string invitation = invite->code().toStdString();
  invite->close();

  // A mistyped code: one sentence, still unpaired.
  std::string typo = invitation;
  typo[typo.size() - 3] = typo[typo.size() - 3] == 'A' ? 'B' : 'A';
  cpage->invitation()->setPlainText(QString::fromStdString(typo));
  QTest::mouseClick(cpage->pair_button(), Qt::LeftButton);
  ASSERT_TRUE(SpinUntil([&] { return cpage->pair_error()->isVisible(); }));
  EXPECT_FALSE(cpage->paired());
  cpage->invitation()->setPlainText(QString::fromStdString(invitation));
  QTest::mouseClick(cpage->pair_button(), Qt::LeftButton);
  ASSERT_TRUE(SpinUntil([&] { return cpage->paired(); }))
      << cpage->pair_error()->text().toStdString();

  ASSERT_TRUE(SpinUntil([&] { return tpage->contacts().RowOf("ana") >= 0; }));
  tpage->contact_list()->setFocus();
  tpage->Select("ana");
  ASSERT_EQ(tpage->current(), "ana");

  // Both compare safety numbers in VerifyDialog and mark each other verified.
  QTest::mouseClick(tpage->verify_button(), Qt::LeftButton);
  auto* tverify = tpage->findChild<tools::VerifyDialog*>();
  ASSERT_NE(tverify, nullptr);
  QTest::mouseClick(cpage->verify_button(), Qt::LeftButton);
  auto* cverify = cpage->findChild<tools::VerifyDialog*>();
  ASSERT_NE(cverify, nullptr);
  ASSERT_TRUE(SpinUntil(
      [&] { return !tverify->groupedDigits().isEmpty() && !cverify->groupedDigits().isEmpty(); }));
  EXPECT_EQ(tverify->groupedDigits(), cverify->groupedDigits());
  SaveScreens(*tverify, "therapist-verify-dialog");
  for (tools::VerifyDialog* d : {tverify, cverify}) {
    QSignalSpy verified(d, &tools::VerifyDialog::verified);
    auto* mark = d->findChild<QPushButton*>(QStringLiteral("verifyMark"));
    ASSERT_NE(mark, nullptr);
    QTest::mouseClick(mark, Qt::LeftButton);
    ASSERT_TRUE(verified.count() > 0 || verified.wait(testing::kWaitMs));
    d->close();
  }
  ASSERT_TRUE(SpinUntil([&] {
    const int row = tpage->contacts().RowOf("ana");
    return row >= 0 && tpage->contacts().At(row)->verified;
  }));

  // A message each way, typed and sent with Enter (Shift+Enter is a new line).
  Composer* tc = tpage->conversation()->composer();
  ASSERT_TRUE(tc->isEnabled());
  TypeInto(tc, "Hello Ana,");
  QTest::keyClick(tc, Qt::Key_Return, Qt::ShiftModifier);
  QTest::keyClicks(tc, "welcome.");
  QTest::keyClick(tc, Qt::Key_Return);
  ConversationModel& tmodel = tpage->conversation()->model();
  ASSERT_TRUE(SpinUntil([&] { return tmodel.rowCount() == 1; }));
  EXPECT_EQ(tmodel.data(tmodel.index(0), Qt::DisplayRole).toString(), "Hello Ana,\nwelcome.");
  ConversationModel& cmodel = cpage->conversation()->model();
  ASSERT_TRUE(SpinUntil([&] { return cmodel.rowCount() >= 1; }));
  QSignalSpy marked_read(tpage->conversation(), &ConversationPane::markedRead);
  Composer* cc = cpage->conversation()->composer();
  TypeInto(cc, "Thank you, see you Tuesday");
  QTest::keyClick(cc, Qt::Key_Enter);
  ASSERT_TRUE(SpinUntil([&] {
    return tmodel.rowCount() == 2 &&
           tmodel.data(tmodel.index(1), Qt::DisplayRole).toString().contains("Tuesday");
  }));
  // Our first message is confirmed delivered by Ana's device.
  ASSERT_TRUE(SpinUntil([&] {
    return tmodel.data(tmodel.index(0), ConversationModel::kStatusTextRole).toString() ==
           "delivered";
  }));
  // Ana's reply arrived while her conversation was on screen: it is read,
  // the list does not count it as new.
  ASSERT_TRUE(SpinUntil([&] {
    const int row = tpage->contacts().RowOf("ana");
    return marked_read.count() > 0 && row >= 0 && tpage->contacts().At(row)->unread == 0;
  }));
  SaveScreens(*therapist, "therapist-conversation");
  SaveScreens(*client, "client-conversation");

  // The therapist schedules a daily PHQ-9 in Practice settings.
  ScheduleDaily(*therapist, "ana", {therapy::InstrumentId::kPhq9}, "");

  // Ana checks in with PHQ-9 item 9 answered 2: the crisis resources are on
  // screen right after that click, before anything is sent.
  QTest::mouseClick(cpage->checkin_button(), Qt::LeftButton);
  auto* form = cpage->findChild<tools::CheckInDialog*>();
  ASSERT_NE(form, nullptr);
  const auto answer = [&](int item, int value) {
    return form->findChild<QAbstractButton*>(
        QStringLiteral("PHQ-9-item%1-answer%2").arg(item).arg(value));
  };
  ASSERT_TRUE(SpinUntil([&] { return form->scheduleLoaded() && answer(9, 2) != nullptr; }));
  for (int item = 1; item <= 8; ++item) QTest::mouseClick(answer(item, 1), Qt::LeftButton);
  EXPECT_FALSE(form->resourcesShown());
  QTest::mouseClick(answer(9, 2), Qt::LeftButton);
  EXPECT_TRUE(form->resourcesShown());
  EXPECT_TRUE(form->resourcesText().contains("988"));
  SaveScreens(*form, "client-check-in-risk");
  // Listening before it is sent: the therapist may be told while we wait.
  QSignalSpy notified(therapist.get(), &MainWindow::notified);
  QSignalSpy form_sent(form, &tools::CheckInDialog::sent);
  QTest::mouseClick(form->findChild<QPushButton*>(QStringLiteral("checkInSend")), Qt::LeftButton);
  ASSERT_TRUE(form_sent.count() > 0 || form_sent.wait(testing::kWaitMs));
  form->close();

  ASSERT_TRUE(SpinUntil([&] {
    const client::ContactView* first = tpage->contacts().At(0);
    return first != nullptr && first->name == "ana" && first->urgent_unacknowledged == 1;
  }));
  EXPECT_TRUE(tpage->contacts()
                  .data(tpage->contacts().index(0), Qt::DisplayRole)
                  .toString()
                  .startsWith("URGENT"));
  ASSERT_TRUE(SpinUntil([&] { return notified.count() > 0; }));
  bool urgent_note = false;
  for (const auto& args : notified) {
    const auto n = args.at(0).value<NotificationText>();
    EXPECT_FALSE(n.title.contains("ana") || n.body.contains("ana"));
    urgent_note = urgent_note || n.urgent;
  }
  EXPECT_TRUE(urgent_note);
  // In the conversation it is a readable card with the reason, not
  // "[check-in: ...]".
  ASSERT_TRUE(SpinUntil([&] {
    const int last = tmodel.rowCount() - 1;
    return last >= 0 && tmodel.data(tmodel.index(last), ConversationModel::kCheckInRole).toBool();
  }));
  const QString card = tmodel.data(tmodel.index(tmodel.rowCount() - 1), Qt::DisplayRole).toString();
  EXPECT_TRUE(card.startsWith("Urgent check-in")) << card.toStdString();
  EXPECT_TRUE(card.contains("PHQ-9: 10 of 27 · Moderate")) << card.toStdString();
  EXPECT_TRUE(card.contains("Needs attention: PHQ-9 item 9")) << card.toStdString();
  SaveScreens(*therapist, "therapist-urgent");

  // The therapist opens the client's check-ins and acknowledges: the pin goes.
  tpage->Select("ana");
  QTest::mouseClick(tpage->checkins_button(), Qt::LeftButton);
  auto* view = tpage->findChild<tools::CheckInsView*>();
  ASSERT_NE(view, nullptr);
  auto* ack = view->findChild<QPushButton*>(QStringLiteral("checkInsAcknowledge"));
  ASSERT_NE(ack, nullptr);
  ASSERT_TRUE(SpinUntil([&] { return ack->isEnabled() && view->loaded(); }));
  // No column nobody answered.
  auto* table = view->findChild<QTableView*>(QStringLiteral("checkInsTable"));
  ASSERT_NE(table, nullptr);
  EXPECT_FALSE(table->isColumnHidden(tools::CheckInTableModel::kPhq9));
  EXPECT_TRUE(table->isColumnHidden(tools::CheckInTableModel::kGad7));
  EXPECT_TRUE(table->isColumnHidden(tools::CheckInTableModel::kNote));
  SaveScreens(*view, "therapist-check-ins");
  QSignalSpy acknowledged(view, &tools::CheckInsView::acknowledged);
  QTest::mouseClick(ack, Qt::LeftButton);
  ASSERT_TRUE(acknowledged.count() > 0 || acknowledged.wait(testing::kWaitMs));
  ASSERT_TRUE(SpinUntil([&] {
    const client::ContactView* first = tpage->contacts().At(0);
    return first != nullptr && first->urgent_unacknowledged == 0;
  }));
  EXPECT_FALSE(tpage->contacts()
                   .data(tpage->contacts().index(0), Qt::DisplayRole)
                   .toString()
                   .contains("URGENT"));
  view->close();

  // "I need help now" shows the resources at once (the profile's own copy).
  QTest::mouseClick(cpage->help_button(), Qt::LeftButton);
  auto* help = cpage->findChild<tools::CrisisResourcesDialog*>();
  ASSERT_NE(help, nullptr);
  ASSERT_TRUE(SpinUntil([&] { return help->resourcesText().contains("988"); }));
  // In the system's text size (it scales with it), the danger line in bold.
  auto* list = help->findChild<QLabel*>(QStringLiteral("crisisResources"));
  auto* danger = help->findChild<QLabel*>(QStringLiteral("crisisDanger"));
  ASSERT_NE(list, nullptr);
  ASSERT_NE(danger, nullptr);
  EXPECT_EQ(list->font().pointSizeF(), help->font().pointSizeF());
  EXPECT_TRUE(danger->font().bold());
  EXPECT_TRUE(danger->text().startsWith("If you are in danger now"));
  SaveScreens(*help, "client-help-now");
  help->close();

  // Idle for longer than the timeout: both windows lock, keys gone.
  clock_.now += MainWindow::IdleTimeoutSetting() + std::chrono::seconds(1);
  therapist->idle_lock().Check();
  client->idle_lock().Check();
  EXPECT_FALSE(therapist->unlocked());
  EXPECT_FALSE(client->unlocked());
  EXPECT_EQ(therapist->current_page(), therapist->unlock_page());
  SaveScreens(*client, "client-locked");
}

}  // namespace
}  // namespace attune::desktop
