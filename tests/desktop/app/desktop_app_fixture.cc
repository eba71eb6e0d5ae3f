#include "desktop_app_fixture.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <algorithm>

#include "attune/crypto/util.h"
#include "attune/desktop/tools/practice_settings_dialog.h"
#include "attune/therapy/content.h"
#include "attune/therapy/schedule.h"

namespace attune::desktop {
namespace {

QPalette DarkPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
  p.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
  p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
  p.setColor(QPalette::AlternateBase, QColor(0x3a, 0x3a, 0x3a));
  p.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
  p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
  p.setColor(QPalette::ButtonText, QColor(0xee, 0xee, 0xee));
  p.setColor(QPalette::Highlight, QColor(0x2e, 0x7d, 0x6b));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::PlaceholderText, QColor(0x99, 0x99, 0x99));
  return p;
}

}  // namespace

void SaveScreens(QWidget& window, const QString& name) {
  QString dir = qEnvironmentVariable("ATTUNE_DESKTOP_SCREENS");
  if (dir.isEmpty()) dir = QStringLiteral(ATTUNE_DESKTOP_SCREENS_DIR);
  QDir().mkpath(dir);
  const QPalette light = QApplication::style()->standardPalette();
  QApplication::setPalette(light);
  QCoreApplication::processEvents();
  EXPECT_TRUE(window.grab().save(dir + '/' + name + "-light.png"));
  QApplication::setPalette(DarkPalette());
  QCoreApplication::processEvents();
  EXPECT_TRUE(window.grab().save(dir + '/' + name + "-dark.png"));
  QApplication::setPalette(light);
  QCoreApplication::processEvents();
}

void TypeInto(QWidget* field, const QString& text) {
  field->setFocus();
  QTest::keyClicks(field, text);
}

std::string EnrollmentCode(const attune::testing::RelayUnderTest& relay) {
  auto run = attune::testing::RunRelayCommand(
      {"enrollment", "issue", "--data-dir", relay.data_dir().string(), "--address",
       "127.0.0.1:" + std::to_string(relay.port()), "--uses", "10"});
  EXPECT_TRUE(run.ok());
  if (!run.ok()) return {};
  EXPECT_TRUE(run->status.Success()) << run->stderr_text;
  std::string code = run->stdout_text;
  while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
  return code;
}

void DesktopApp::SetUp() {
  ASSERT_TRUE(crypto::Init().ok());
  QStandardPaths::setTestModeEnabled(true);
  QSettings().clear();
  auto relay = attune::testing::RelayUnderTest::Start();
  ASSERT_TRUE(relay.ok()) << relay.error().ToString();
  relay_ = std::move(relay).value();
}

std::unique_ptr<MainWindow> DesktopApp::Window(const std::string& name) {
  AppOptions options;
  options.profile_dir = QString::fromStdString((root_.path() / name).string());
  options.strength = client::store::KdfStrength::kTestInteractive;
  options.clock = clock_.fn();
  options.wall_clock = [this] {
    const uint64_t now = wall_now_.load();
    return now != 0 ? now : client::SystemNow();
  };
  auto window = std::make_unique<MainWindow>(std::move(options));
  window->resize(1000, 680);
  window->show();
  return window;
}

void DesktopApp::CreateProfile(MainWindow& w, bool therapist, const QString& name,
                               const QString& pass) {
  FirstRunPage* page = w.first_run_page();
  ASSERT_EQ(w.current_page(), page);
  page->role()->setFocus();
  page->role()->setCurrentIndex(therapist ? 1 : 0);
  TypeInto(page->name(), name);
  TypeInto(page->passphrase(), pass);
  TypeInto(page->confirmation(), pass);
  EXPECT_FALSE(page->strength()->text().isEmpty());
  if (therapist) {
    page->enrollment()->setPlainText(QString::fromStdString(EnrollmentCode(*relay_)));
  }
  QTest::mouseClick(page->create(), Qt::LeftButton);
  ASSERT_TRUE(testing::SpinUntil([&] { return w.unlocked(); }))
      << page->error()->text().toStdString();
}

void DesktopApp::PairWindows(MainWindow& therapist, MainWindow& client,
                             const std::string& client_name) {
  std::string code;
  bool answered = false;
  therapist.runner()->Run(
      &therapist,
      [client_name](client::Engine& e) {
        client::InviteRequest request;
        request.local_name = client_name;
        return e.Invite(request);
      },
      [&](const Result<client::InvitationOutput>& out) {
        answered = true;
        if (out.ok()) code = out->text;
      });
  ASSERT_TRUE(testing::SpinUntil([&] { return answered; }));
  ASSERT_FALSE(code.empty());
  ClientPage* cpage = client.client_page();
  ASSERT_NE(cpage, nullptr);
  cpage->invitation()->setPlainText(QString::fromStdString(code));
  QTest::mouseClick(cpage->pair_button(), Qt::LeftButton);
  ASSERT_TRUE(testing::SpinUntil([&] { return cpage->paired(); }))
      << cpage->pair_error()->text().toStdString();
  const QString name = QString::fromStdString(client_name);
  ASSERT_TRUE(
      testing::SpinUntil([&] { return therapist.therapist_page()->contacts().RowOf(name) >= 0; }));
}

void DesktopApp::OpenPairedWindows(std::unique_ptr<MainWindow>& therapist,
                                   std::unique_ptr<MainWindow>& client) {
  therapist = Window("therapist");
  CreateProfile(*therapist, true, "Dr Rivera", kTherapistPass);
  client = Window("client");
  CreateProfile(*client, false, "Ana", kClientPass);
  PairWindows(*therapist, *client, "ana");
}

void DesktopApp::ScheduleDaily(MainWindow& therapist, const std::string& client_name,
                               std::vector<therapy::InstrumentId> instruments,
                               const std::string& zone) {
  TherapistPage* page = therapist.therapist_page();
  ASSERT_NE(page, nullptr);
  QTest::mouseClick(page->settings_button(), Qt::LeftButton);
  auto* dialog = page->findChild<tools::PracticeSettingsDialog*>();
  ASSERT_NE(dialog, nullptr);
  ASSERT_TRUE(testing::SpinUntil([&] { return dialog->loaded(); }));
  const auto child = [&](const QString& name) { return dialog->findChild<QWidget*>(name); };
  // The schedule tab, as clicked.
  auto* tabs = dialog->findChild<QTabWidget*>();
  ASSERT_NE(tabs, nullptr);
  int tab = -1;
  for (int i = 0; i < tabs->count(); ++i) {
    if (tabs->tabText(i).remove(u'&').contains(QStringLiteral("schedules"))) tab = i;
  }
  ASSERT_GE(tab, 0);
  QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(tab).center());
  ASSERT_EQ(tabs->currentIndex(), tab);
  // The client, chosen from the list by typing its name.
  auto* who = qobject_cast<QComboBox*>(child(QStringLiteral("practiceClient")));
  ASSERT_NE(who, nullptr);
  who->setFocus();
  QTest::keyClicks(who, QString::fromStdString(client_name));
  ASSERT_EQ(who->currentText(), QString::fromStdString(client_name));
  // When: daily at 20:00; what: mood, and the questionnaires asked for.
  auto* when = qobject_cast<QLineEdit*>(child(QStringLiteral("practiceCadence")));
  ASSERT_NE(when, nullptr);
  when->selectAll();
  TypeInto(when, QStringLiteral("daily 20:00"));
  const auto set_box = [&](const QString& name, bool on) {
    auto* box = qobject_cast<QCheckBox*>(child(name));
    ASSERT_NE(box, nullptr) << name.toStdString();
    if (box->isChecked() != on) QTest::mouseClick(box, Qt::LeftButton);
    ASSERT_EQ(box->isChecked(), on) << name.toStdString();
  };
  set_box(QStringLiteral("practiceItem-mood"), true);
  for (const char* item : {"anxiety", "sleep", "note"}) {
    set_box(QStringLiteral("practiceItem-%1").arg(QLatin1String(item)), false);
  }
  for (therapy::InstrumentId id : therapy::kAllInstruments) {
    const bool wanted = std::find(instruments.begin(), instruments.end(), id) != instruments.end();
    set_box(QStringLiteral("practiceInstrument-%1")
                .arg(QString::fromLatin1(therapy::GetInstrument(id).short_name)),
            wanted);
  }
  auto* zone_field = qobject_cast<QLineEdit*>(child(QStringLiteral("practiceScheduleZone")));
  ASSERT_NE(zone_field, nullptr);
  zone_field->selectAll();
  QTest::keyClick(zone_field, Qt::Key_Delete);
  if (!zone.empty()) TypeInto(zone_field, QString::fromStdString(zone));
  // Send, and wait for the dialog to say it reached the client.
  QSignalSpy saved(dialog, &tools::PracticeSettingsDialog::saved);
  QTest::mouseClick(qobject_cast<QPushButton*>(child(QStringLiteral("practiceSendSchedule"))),
                    Qt::LeftButton);
  ASSERT_TRUE(saved.count() > 0 || saved.wait(testing::kWaitMs))
      << dialog->statusText().toStdString();
  EXPECT_EQ(dialog->statusText(), QStringLiteral("Saved; sent to 1 client."));
  SaveScreens(*dialog, "therapist-schedule");
  auto* buttons = dialog->findChild<QDialogButtonBox*>();
  ASSERT_NE(buttons, nullptr);
  QPointer<QWidget> open(dialog);
  QTest::mouseClick(buttons->button(QDialogButtonBox::Close), Qt::LeftButton);
  EXPECT_TRUE(open.isNull() || !open->isVisible());
}

void DesktopApp::Unlock(MainWindow& w, const QString& pass) {
  UnlockPage* unlock = w.unlock_page();
  ASSERT_EQ(w.current_page(), unlock);
  TypeInto(unlock->passphrase(), pass);
  QTest::keyClick(unlock->passphrase(), Qt::Key_Return);
  ASSERT_TRUE(testing::SpinUntil([&] { return w.unlocked() || unlock->error()->isVisible(); }));
}

}  // namespace attune::desktop

int main(int argc, char** argv) {
  // Also when CTest lists the tests (gtest discovery runs without the
  // test's environment): never a real display.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QApplication::setOrganizationName(QStringLiteral("AttuneTest"));
  QApplication::setApplicationName(QStringLiteral("attune-desktop-tests"));
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
