#include "attune/desktop/tools/check_in_table_model.h"

#include <QFont>

#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

CheckInTableModel::CheckInTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CheckInTableModel::SetRecords(std::vector<client::CheckInRecord> records) {
  beginResetModel();
  records_ = std::move(records);
  endResetModel();
}

const client::CheckInRecord& CheckInTableModel::RecordAt(int row) const {
  return records_[records_.size() - 1 - static_cast<size_t>(row)];  // newest first
}

int CheckInTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(records_.size());
}

int CheckInTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QString CheckInTableModel::ScoreText(const client::CheckInRecord& r, therapy::InstrumentId id) {
  const therapy::Score* s = r.Find(id);
  if (s == nullptr) return {};
  QString text = QString::number(s->total);
  if (!s->band.empty()) text += QStringLiteral(" · ") + ToQ(s->band);
  return text;
}

QString CheckInTableModel::SleepText(const client::CheckInRecord& r) {
  if (!r.sleep_minutes) return {};
  return QStringLiteral("%1:%2 h")
      .arg(*r.sleep_minutes / 60)
      .arg(*r.sleep_minutes % 60, 2, 10, QLatin1Char('0'));
}

QString CheckInTableModel::UrgentText(const client::CheckInRecord& r) {
  if (!r.urgent) return {};
  const QString why = ToQ(r.risk);
  if (r.acknowledged_at) {
    return tr("%1 — acknowledged %2").arg(why, LocalTime(*r.acknowledged_at));
  }
  return tr("%1 — awaiting acknowledgement").arg(why);
}

QString CheckInTableModel::ColumnTitle(int column) {
  switch (column) {
    case kWhen:
      return tr("When");
    case kPhq9:
      return tr("PHQ-9");
    case kGad7:
      return tr("GAD-7");
    case kMood:
      return tr("Mood");
    case kAnxiety:
      return tr("Anxiety");
    case kSleep:
      return tr("Sleep");
    case kUrgent:
      return tr("Urgent");
    case kNote:
      return tr("Note");
    default:
      return {};
  }
}

QString CheckInTableModel::CellText(const client::CheckInRecord& r, int column) {
  auto out_of_ten = [](const std::optional<uint32_t>& v) {
    return v ? QStringLiteral("%1/10").arg(*v) : QString();
  };
  switch (column) {
    case kWhen:
      return LocalTime(r.filled_at);
    case kPhq9:
      return ScoreText(r, therapy::InstrumentId::kPhq9);
    case kGad7:
      return ScoreText(r, therapy::InstrumentId::kGad7);
    case kMood:
      return out_of_ten(r.mood);
    case kAnxiety:
      return out_of_ten(r.anxiety);
    case kSleep:
      return SleepText(r);
    case kUrgent:
      return UrgentText(r);
    case kNote:
      return ToQ(r.note);
    default:
      return {};
  }
}

QVariant CheckInTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const client::CheckInRecord& r = RecordAt(index.row());
  switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
      return CellText(r, index.column());
    case Qt::ToolTipRole:
      if (index.column() == kNote || index.column() == kUrgent) return CellText(r, index.column());
      return {};
    case Qt::FontRole:
      if (index.column() == kUrgent && r.awaiting_acknowledgement()) {
        QFont bold;
        bold.setBold(true);
        return bold;
      }
      return {};
    default:
      return {};
  }
}

QVariant CheckInTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal ||
      (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  return ColumnTitle(section);
}

}  // namespace attune::desktop::tools
