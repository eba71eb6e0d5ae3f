// Without widgets: the severity bands the charts shade (from core/therapy)
// and the check-in table's rows, columns and cell values.
#include <gtest/gtest.h>

#include <QFont>

#include "attune/client/check_ins.h"
#include "attune/desktop/tools/check_in_table_model.h"
#include "attune/desktop/tools/severity_bands.h"
#include "attune/therapy/check_in.h"

namespace attune::desktop::tools {
namespace {

using therapy::InstrumentId;

TEST(SeverityBands, Phq9AndGad7BandsMeetWithoutGapsAtThePublishedCutOffs) {
  const std::vector<BandArea> phq = BandAreas(InstrumentId::kPhq9);
  ASSERT_EQ(phq.size(), 5u);
  const std::vector<std::pair<uint32_t, uint32_t>> phq_ranges = {
      {0, 4}, {5, 9}, {10, 14}, {15, 19}, {20, 27}};
  for (size_t i = 0; i < phq.size(); ++i) {
    EXPECT_EQ(phq[i].min_total, phq_ranges[i].first);
    EXPECT_EQ(phq[i].max_total, phq_ranges[i].second);
    if (i > 0) {
      EXPECT_DOUBLE_EQ(phq[i].lower, phq[i - 1].upper);
    }
  }
  EXPECT_DOUBLE_EQ(phq.front().lower, 0);
  EXPECT_DOUBLE_EQ(phq.back().upper, 27);
  EXPECT_EQ(phq.front().label, QStringLiteral("Minimal"));
  EXPECT_EQ(phq.back().label, QStringLiteral("Severe"));

  const std::vector<BandArea> gad = BandAreas(InstrumentId::kGad7);
  ASSERT_EQ(gad.size(), 4u);
  EXPECT_EQ(gad[3].min_total, 15u);
  EXPECT_EQ(gad[3].max_total, 21u);
  EXPECT_DOUBLE_EQ(gad[3].upper, 21);
  EXPECT_DOUBLE_EQ(gad[1].lower, 4.5);  // a total of 4 is Minimal, 5 is Mild
  EXPECT_TRUE(BandAreas(InstrumentId::kPhq2).empty());
}

TEST(SeverityBands, TintsAreTranslucentAndDistinctInBothPalettes) {
  for (bool dark : {false, true}) {
    const QColor calm = BandTint(0, 5, dark);
    const QColor alarm = BandTint(4, 5, dark);
    EXPECT_LT(calm.alpha(), 255);
    EXPECT_GT(calm.alpha(), 0);
    EXPECT_NE(calm.hue(), alarm.hue());
  }
}

therapy::HistoryEntry Entry(therapy::CheckInInput in, int64_t time, bool received,
                            std::optional<int64_t> acked = std::nullopt) {
  therapy::HistoryEntry e;
  e.message_id[0] = static_cast<uint8_t>(time);
  e.direction = received ? therapy::HistoryDirection::kReceived : therapy::HistoryDirection::kSent;
  e.time = time;
  in.filled_at = time;
  auto c = therapy::CheckIn::Create(std::move(in));
  EXPECT_TRUE(c.ok()) << c.error().message;
  e.body = *c;
  e.acknowledged_at = acked;
  return e;
}

TEST(CheckInTableModel, RowsNewestFirstWithScoresBandsAndUrgentReason) {
  therapy::ConversationExport conversation;
  therapy::CheckInInput calm;
  calm.mood = 7;
  calm.anxiety = 2;
  calm.sleep_minutes = 450;
  calm.instruments.push_back({InstrumentId::kGad7, std::vector<uint32_t>(7, 1), std::nullopt});
  conversation.entries.push_back(Entry(calm, 1700000000, true));
  therapy::TextMessage text{"not a check-in"};
  therapy::HistoryEntry t;
  t.time = 1700000500;
  t.body = text;
  conversation.entries.push_back(t);
  therapy::CheckInInput risky;
  risky.mood = 2;
  std::vector<uint32_t> phq(9, 2);
  phq[8] = 2;  // total 18: Moderately severe; item 9 answered 2
  risky.instruments.push_back({InstrumentId::kPhq9, phq, std::nullopt});
  risky.note = "rough week";
  conversation.entries.push_back(Entry(risky, 1700086400, true));

  CheckInTableModel model;
  model.SetRecords(client::CheckInRecords(conversation));
  ASSERT_EQ(model.rowCount(), 2);
  ASSERT_EQ(model.columnCount(), CheckInTableModel::kColumnCount);
  auto cell = [&](int row, int column) {
    return model.data(model.index(row, column), Qt::DisplayRole).toString();
  };
  // Row 0 is the newest: the urgent one.
  EXPECT_EQ(cell(0, CheckInTableModel::kPhq9), QStringLiteral("18 · Moderately severe"));
  EXPECT_EQ(cell(0, CheckInTableModel::kGad7), QString());
  EXPECT_EQ(cell(0, CheckInTableModel::kMood), QStringLiteral("2/10"));
  EXPECT_EQ(cell(0, CheckInTableModel::kNote), QStringLiteral("rough week"));
  EXPECT_TRUE(cell(0, CheckInTableModel::kUrgent).contains(QStringLiteral("item 9")));
  EXPECT_TRUE(cell(0, CheckInTableModel::kUrgent).contains(QStringLiteral("awaiting")));
  EXPECT_TRUE(
      model.data(model.index(0, CheckInTableModel::kUrgent), Qt::FontRole).value<QFont>().bold());
  EXPECT_EQ(cell(1, CheckInTableModel::kGad7), QStringLiteral("7 · Mild"));
  EXPECT_EQ(cell(1, CheckInTableModel::kAnxiety), QStringLiteral("2/10"));
  EXPECT_EQ(cell(1, CheckInTableModel::kSleep), QStringLiteral("7:30 h"));
  EXPECT_EQ(cell(1, CheckInTableModel::kUrgent), QString());
  EXPECT_FALSE(cell(1, CheckInTableModel::kWhen).isEmpty());
  EXPECT_EQ(model.headerData(CheckInTableModel::kPhq9, Qt::Horizontal, Qt::DisplayRole),
            QStringLiteral("PHQ-9"));
  EXPECT_FALSE(model.data(model.index(2, 0), Qt::DisplayRole).isValid());

  // Acknowledged: still marked urgent, with when; no longer awaiting.
  conversation.entries.back().acknowledged_at = 1700090000;
  model.SetRecords(client::CheckInRecords(conversation));
  EXPECT_TRUE(cell(0, CheckInTableModel::kUrgent).contains(QStringLiteral("acknowledged")));
  EXPECT_FALSE(cell(0, CheckInTableModel::kUrgent).contains(QStringLiteral("awaiting")));
}

TEST(CheckInTableModel, OwnSentCheckInsAreNeverUrgentRows) {
  therapy::ConversationExport conversation;
  therapy::CheckInInput in;
  in.help_now = true;
  in.mood = 1;
  conversation.entries.push_back(Entry(in, 1700000000, /*received=*/false));
  CheckInTableModel model;
  model.SetRecords(client::CheckInRecords(conversation));
  ASSERT_EQ(model.rowCount(), 1);
  EXPECT_EQ(model.data(model.index(0, CheckInTableModel::kUrgent), Qt::DisplayRole).toString(),
            QString());
}

}  // namespace
}  // namespace attune::desktop::tools
