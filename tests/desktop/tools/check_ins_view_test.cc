// CheckInsView and OwnCheckInsView against a real relay: an urgent check-in
// from the client appears in the therapist's table and charts with its
// reason spelled out, Acknowledge clears it in the engine, the exports
// write what `attune export` writes plus a PDF with the attribution; the
// client sees their own history in the same charts.
#include "attune/desktop/tools/check_ins_view.h"

#include <QAreaSeries>
#include <QChart>
#include <QFile>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "attune/client/therapy/export.h"
#include "attune/desktop/tools/check_in_chart.h"
#include "attune/desktop/tools/check_in_export.h"
#include "attune/desktop/tools/check_in_table_model.h"
#include "attune/desktop/tools/own_check_ins_view.h"
#include "attune/therapy/check_in.h"
#include "tools_test_support.h"

namespace attune::desktop::tools {
namespace {

class CheckInsViewTest : public ToolsTest {
 protected:
  void SetUp() override { Start(/*pair=*/true); }

  void SendCheckIn(std::vector<uint32_t> phq9, uint32_t mood, int64_t filled_at) {
    therapy::CheckInInput in;
    in.mood = mood;
    in.anxiety = 6;
    in.sleep_minutes = 360;
    in.instruments.push_back({therapy::InstrumentId::kPhq9, std::move(phq9), std::nullopt});
    in.instruments.push_back(
        {therapy::InstrumentId::kGad7, std::vector<uint32_t>(7, 2), std::nullopt});
    in.filled_at = filled_at;
    auto check_in = therapy::CheckIn::Create(in);
    ASSERT_TRUE(check_in.ok()) << check_in.error().message;
    auto sent =
        Call(*client_, [&](client::Engine& e) { return e.SendCheckIn("therapist", *check_in); });
    ASSERT_TRUE(sent.ok()) << sent.error().message;
  }
};

TEST_F(CheckInsViewTest, UrgentCheckInShownAcknowledgedAndExported) {
  const auto now = static_cast<int64_t>(client::SystemNow());
  SendCheckIn(std::vector<uint32_t>(9, 0), 6, now - (3 * 86400));
  std::vector<uint32_t> risky(9, 1);
  risky[8] = 2;  // PHQ-9 item 9
  SendCheckIn(risky, 3, now - 60);

  CheckInsView view(*therapist_, QStringLiteral("sam"), nullptr);
  view.show();  // at its own size, as the app opens it
  QSignalSpy reloaded(&view, &CheckInsView::reloaded);
  // The therapist's engine receives them; the view reloads on the event.
  EXPECT_EQ(Sync(*therapist_).new_messages, 2u);
  QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 10000);
  const CheckInTableModel& model = *view.model();
  EXPECT_EQ(model.data(model.index(0, CheckInTableModel::kPhq9), Qt::DisplayRole).toString(),
            QStringLiteral("10 · Moderate"));
  EXPECT_EQ(model.data(model.index(1, CheckInTableModel::kPhq9), Qt::DisplayRole).toString(),
            QStringLiteral("0 · Minimal"));
  EXPECT_TRUE(view.urgentText().contains(QStringLiteral("item 9")))
      << view.urgentText().toStdString();

  // Charts: five shaded PHQ-9 bands plus the totals line with both points.
  QChart* phq = view.chart()->phq9Chart();
  int areas = 0;
  for (QAbstractSeries* s : phq->series()) areas += qobject_cast<QAreaSeries*>(s) != nullptr;
  EXPECT_EQ(areas, 5);
  auto* totals = qobject_cast<QLineSeries*>(phq->series().last());
  ASSERT_NE(totals, nullptr);
  ASSERT_EQ(totals->count(), 2);
  EXPECT_DOUBLE_EQ(totals->at(1).y(), 10);
  // One page: the table as tall as its two rows, the charts below it.
  auto* table = view.findChild<QTableView*>(QStringLiteral("checkInsTable"));
  ASSERT_NE(table, nullptr);
  EXPECT_LT(table->height(), view.chart()->height());
  EXPECT_EQ(table->verticalScrollBar()->maximum(), 0);  // every row shows
  SaveScreens(view, QStringLiteral("check-ins-view"));

  // Exports, called directly with a path.
  auto conversation =
      Call(*therapist_, [](client::Engine& e) { return e.ExportConversation("sam"); });
  ASSERT_TRUE(conversation.ok());
  const QString dir = QString::fromStdString(root_.path().string());
  ASSERT_TRUE(WriteCsvExport(dir + "/sam.csv", *conversation).ok());
  ASSERT_TRUE(WriteJsonExport(dir + "/sam.json", *conversation).ok());
  ASSERT_TRUE(WritePdfRecord(dir + "/sam.pdf", *conversation).ok());
  auto read = [](const QString& path) {
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << path.toStdString();
    return f.readAll();
  };
  EXPECT_EQ(read(dir + "/sam.csv").toStdString(), therapy::ExportCsv(*conversation));
  const QByteArray json = read(dir + "/sam.json");
  auto parsed = therapy::ParseJsonExport(json.toStdString());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entries.size(), 2u);
  const QByteArray pdf = read(dir + "/sam.pdf");
  EXPECT_TRUE(pdf.startsWith("%PDF-"));
  EXPECT_GT(pdf.size(), 2000);
  const QString record = BuildRecordDocument(*conversation)->toPlainText();
  EXPECT_TRUE(record.contains(QStringLiteral("Pfizer")));
  EXPECT_TRUE(record.contains(QStringLiteral("Spitzer")));
  EXPECT_TRUE(record.contains(QStringLiteral("10 · Moderate")));
  EXPECT_TRUE(record.contains(QStringLiteral("awaiting acknowledgement")));
  EXPECT_FALSE(WriteCsvExport(dir + "/no/such/dir/x.csv", *conversation).ok());

  // Acknowledge, from the keyboard: the button is the default one.
  QSignalSpy acknowledged(&view, &CheckInsView::acknowledged);
  auto* ack = view.findChild<QPushButton*>(QStringLiteral("checkInsAcknowledge"));
  ASSERT_NE(ack, nullptr);
  ASSERT_TRUE(ack->isVisible());
  ack->setFocus();
  QTest::keyClick(ack, Qt::Key_Space);
  ASSERT_TRUE(acknowledged.wait(10000));
  QTRY_VERIFY_WITH_TIMEOUT(view.urgentText().isEmpty(), 10000);
  EXPECT_FALSE(ack->isVisible());
  auto contact = Call(*therapist_, [](client::Engine& e) { return e.Contact("sam"); });
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->urgent_unacknowledged, 0u);
  EXPECT_TRUE(model.data(model.index(0, CheckInTableModel::kUrgent), Qt::DisplayRole)
                  .toString()
                  .contains(QStringLiteral("acknowledged")));

  // The client's own history: the same charts, their two check-ins.
  OwnCheckInsView own(*client_, QStringLiteral("therapist"), nullptr);
  own.resize(700, 700);
  QTRY_COMPARE_WITH_TIMEOUT(own.count(), 2, 10000);
  auto* own_totals = qobject_cast<QLineSeries*>(own.chart()->phq9Chart()->series().last());
  ASSERT_NE(own_totals, nullptr);
  EXPECT_EQ(own_totals->count(), 2);
  SaveScreens(own, QStringLiteral("own-check-ins-view"));
}

// Many check-ins: the table stops growing at kVisibleRows and scrolls; the
// charts keep the rest of the window.
TEST_F(CheckInsViewTest, ManyCheckInsScrollInATableOfBoundedHeight) {
  const auto now = static_cast<int64_t>(client::SystemNow());
  constexpr int kCount = CheckInsView::kVisibleRows + 6;
  for (int i = 0; i < kCount; ++i) {
    std::vector<uint32_t> phq9(9, static_cast<uint32_t>(i % 3));
    phq9[8] = 0;
    SendCheckIn(phq9, static_cast<uint32_t>(3 + (i % 5)), now - ((kCount - i) * 86400));
  }
  CheckInsView view(*therapist_, QStringLiteral("sam"), nullptr);
  view.show();
  EXPECT_EQ(Sync(*therapist_).new_messages, static_cast<size_t>(kCount));
  QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), kCount, 10000);
  QTest::qWait(50);
  auto* table = view.findChild<QTableView*>(QStringLiteral("checkInsTable"));
  ASSERT_NE(table, nullptr);
  EXPECT_GT(table->verticalScrollBar()->maximum(), 0);
  int shown = 0;
  for (int row = 0; row < CheckInsView::kVisibleRows; ++row) shown += table->rowHeight(row);
  EXPECT_LE(table->viewport()->height(), shown + 1);
  EXPECT_GT(view.chart()->height(), table->height());
  SaveScreens(view, QStringLiteral("check-ins-view-many"));
}

}  // namespace
}  // namespace attune::desktop::tools
