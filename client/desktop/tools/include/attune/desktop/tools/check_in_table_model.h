// The check-ins of one conversation as a table, newest first: when, PHQ-9
// and GAD-7 totals with their bands, mood, anxiety, sleep, the urgent
// reason with its acknowledgement, the note. Fed with the engine's
// CheckInRecords (scores and risk are the engine's); no widget needed.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "attune/client/check_ins.h"

namespace attune::desktop::tools {

class CheckInTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kWhen, kPhq9, kGad7, kMood, kAnxiety, kSleep, kUrgent, kNote, kColumnCount };

  explicit CheckInTableModel(QObject* parent = nullptr);

  void SetRecords(std::vector<client::CheckInRecord> records);
  const std::vector<client::CheckInRecord>& records() const { return records_; }  // oldest first
  const client::CheckInRecord& RecordAt(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Cell texts, shared with the printable record.
  static QString ScoreText(const client::CheckInRecord& r, therapy::InstrumentId id);
  static QString SleepText(const client::CheckInRecord& r);
  static QString UrgentText(const client::CheckInRecord& r);
  static QString ColumnTitle(int column);
  static QString CellText(const client::CheckInRecord& r, int column);

 private:
  std::vector<client::CheckInRecord> records_{};
};

}  // namespace attune::desktop::tools
