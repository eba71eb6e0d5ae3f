// PracticeSettingsDialog on a real relay: office hours, crisis resources
// and a schedule typed into the dialog reach the paired client's engine;
// bad input is one sentence and changes nothing.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include "attune/desktop/tools/practice_settings_dialog.h"
#include "tools_test_support.h"

namespace attune::desktop::tools {
namespace {

class PracticeSettingsTest : public ToolsTest {
 protected:
  void SetUp() override { Start(/*pair=*/true); }

  template <typename T>
  static T* Child(QWidget& parent, const char* name) {
    T* child = parent.findChild<T*>(QString::fromLatin1(name));
    EXPECT_NE(child, nullptr) << name;
    return child;
  }
  static void Type(QLineEdit* edit, const QString& text) {
    edit->clear();
    QTest::keyClicks(edit, text);
  }
};

TEST_F(PracticeSettingsTest, SettingsTypedInTheDialogReachTheClient) {
  PracticeSettingsDialog dialog(*therapist_, nullptr);
  dialog.resize(720, 520);
  dialog.show();
  QTRY_VERIFY_WITH_TIMEOUT(dialog.loaded(), 10000);
  QSignalSpy saved(&dialog, &PracticeSettingsDialog::saved);

  // A bad window: one sentence, nothing stored.
  Type(Child<QLineEdit>(dialog, "practiceWindows"), QStringLiteral("Mon 25:00-26:00"));
  QTest::mouseClick(Child<QPushButton>(dialog, "practiceSaveHours"), Qt::LeftButton);
  EXPECT_FALSE(dialog.statusText().isEmpty());
  EXPECT_TRUE(dialog.statusText().endsWith(u'.')) << dialog.statusText().toStdString();
  EXPECT_EQ(saved.count(), 0);
  auto none = Call(*therapist_, [](client::Engine& e) { return e.OwnOfficeHours(); });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  Type(Child<QLineEdit>(dialog, "practiceWindows"), QStringLiteral("Mon-Fri 09:00-17:00"));
  Child<QComboBox>(dialog, "practiceZone")->setCurrentText(QStringLiteral("Europe/Berlin"));
  QTest::mouseClick(Child<QPushButton>(dialog, "practiceSaveHours"), Qt::LeftButton);
  ASSERT_TRUE(saved.wait(15000));
  EXPECT_TRUE(dialog.statusText().contains(QStringLiteral("1 client")))
      << dialog.statusText().toStdString();

  // Resources: replace the default rows with the clinic's own.
  auto* table = Child<QTableWidget>(dialog, "practiceResources");
  while (table->rowCount() > 1) table->removeRow(table->rowCount() - 1);
  table->item(0, 0)->setText(QStringLiteral("Samaritans"));
  table->item(0, 1)->setText(QStringLiteral("116 123"));
  table->item(0, 3)->setText(QString());
  Type(Child<QLineEdit>(dialog, "practiceLocale"), QStringLiteral("en-GB"));
  QTest::mouseClick(Child<QPushButton>(dialog, "practiceSaveResources"), Qt::LeftButton);
  ASSERT_TRUE(saved.wait(15000));

  // A schedule for sam, with a bad cadence first.
  EXPECT_EQ(Child<QComboBox>(dialog, "practiceClient")->currentText(), QStringLiteral("sam"));
  Type(Child<QLineEdit>(dialog, "practiceCadence"), QStringLiteral("daily 25:00"));
  QTest::mouseClick(Child<QPushButton>(dialog, "practiceSendSchedule"), Qt::LeftButton);
  EXPECT_TRUE(dialog.statusText().contains(QStringLiteral("25:00")))
      << dialog.statusText().toStdString();
  Type(Child<QLineEdit>(dialog, "practiceCadence"), QStringLiteral("daily 20:00"));
  Child<QWidget>(dialog, "practiceInstrument-PHQ-9")->setProperty("checked", true);
  QTest::mouseClick(Child<QPushButton>(dialog, "practiceSendSchedule"), Qt::LeftButton);
  ASSERT_TRUE(saved.wait(15000));
  SaveScreens(dialog, QStringLiteral("practice-settings-dialog"));

  Sync(*client_);
  auto info = Call(*client_, [](client::Engine& e) { return e.PracticeInfoFor("therapist"); });
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_NE(info->hours_text.find("Europe/Berlin"), std::string::npos) << info->hours_text;
  ASSERT_EQ(info->resources.resources().size(), 1u);
  EXPECT_EQ(info->resources.resources()[0].label, "Samaritans");
  auto schedule = Call(*client_, [](client::Engine& e) { return e.ActiveSchedule("therapist"); });
  ASSERT_TRUE(schedule.ok());
  ASSERT_TRUE(schedule->has_value());
  const auto& s = std::get<therapy::CheckInSchedule>((*schedule)->body);
  EXPECT_EQ(s.cadence.ToString(), "daily 20:00");
  EXPECT_EQ(s.instruments, std::vector<therapy::InstrumentId>{therapy::InstrumentId::kPhq9});

  // Reopened, the dialog shows what was stored and sent.
  PracticeSettingsDialog again(*therapist_, nullptr);
  QTRY_VERIFY_WITH_TIMEOUT(again.loaded(), 10000);
  // The core's canonical wording of the same windows.
  EXPECT_EQ(Child<QLineEdit>(again, "practiceWindows")->text().toStdString(),
            "weekdays 09:00-17:00");
  QTRY_COMPARE_WITH_TIMEOUT(Child<QLineEdit>(again, "practiceCadence")->text(),
                            QStringLiteral("daily 20:00"), 10000);
  QTest::keyClick(&again, Qt::Key_Escape);
  EXPECT_FALSE(again.isVisible());
}

}  // namespace
}  // namespace attune::desktop::tools
