#include "attune/desktop/tools/check_ins_view.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QResizeEvent>
#include <QScreen>
#include <QScrollBar>
#include <QSizePolicy>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <utility>

#include "attune/client/check_ins.h"
#include "attune/desktop/tools/check_in_chart.h"
#include "attune/desktop/tools/check_in_export.h"
#include "attune/desktop/tools/check_in_table_model.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

CheckInsView::CheckInsView(EngineRunner& runner, QString client, QWidget* parent)
    : QWidget(parent), runner_(runner), client_(std::move(client)) {
  setAccessibleName(tr("Check-ins of %1").arg(client_));
  auto* layout = new QVBoxLayout(this);

  auto* urgent_row = new QHBoxLayout();
  urgent_ = new QLabel(this);
  urgent_->setObjectName(QStringLiteral("checkInsUrgent"));
  urgent_->setWordWrap(true);
  urgent_->setVisible(false);
  QFont bold = urgent_->font();
  bold.setBold(true);
  urgent_->setFont(bold);
  Accessible(urgent_, tr("Urgent check-in"));
  acknowledge_ = new QPushButton(tr("&Acknowledge"), this);
  acknowledge_->setObjectName(QStringLiteral("checkInsAcknowledge"));
  acknowledge_->setVisible(false);
  Accessible(acknowledge_, tr("Acknowledge the urgent check-in"),
             tr("You have seen it and are following up; it stops being pinned first."));
  urgent_row->addWidget(urgent_, 1);
  urgent_row->addWidget(acknowledge_);
  layout->addLayout(urgent_row);

  model_ = new CheckInTableModel(this);
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("checkInsTable"));
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  // The urgent reason and the note wrap instead of being cut off; the
  // height is the rows' (FitTableHeight), the charts take what is left.
  table_->setWordWrap(true);
  table_->setTextElideMode(Qt::ElideNone);
  table_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  Accessible(table_, tr("Check-ins, newest first"));
  layout->addWidget(table_);
  chart_ = new CheckInChart(this);
  layout->addWidget(chart_, 1);

  auto* exports = new QHBoxLayout();
  auto add_button = [&](const QString& text, const QString& object, const QString& name) {
    auto* b = new QPushButton(text, this);
    b->setObjectName(object);
    Accessible(b, name);
    exports->addWidget(b);
    return b;
  };
  QPushButton* csv =
      add_button(tr("Export &CSV…"), QStringLiteral("checkInsCsv"), tr("Export check-ins as CSV"));
  QPushButton* json = add_button(tr("Export &JSON…"), QStringLiteral("checkInsJson"),
                                 tr("Export check-ins as JSON"));
  QPushButton* pdf = add_button(tr("&Printable record (PDF)…"), QStringLiteral("checkInsPdf"),
                                tr("Save a printable PDF record"));
  // What happened (saved, acknowledged, no check-ins yet) beside the
  // buttons that did it, not on a line of its own that is mostly empty.
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("checkInsStatus"));
  status_->setWordWrap(true);
  status_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  Accessible(status_, tr("Status"));
  exports->addWidget(status_, 1);
  layout->addLayout(exports);

  connect(acknowledge_, &QPushButton::clicked, this, &CheckInsView::Acknowledge);
  connect(csv, &QPushButton::clicked, this, [this] {
    Export(tr("Export check-ins as CSV"), tr("CSV files (*.csv)"), QStringLiteral("csv"),
           &WriteCsvExport);
  });
  connect(json, &QPushButton::clicked, this, [this] {
    Export(tr("Export check-ins as JSON"), tr("JSON files (*.json)"), QStringLiteral("json"),
           &WriteJsonExport);
  });
  connect(pdf, &QPushButton::clicked, this, [this] {
    Export(tr("Save a printable record"), tr("PDF files (*.pdf)"), QStringLiteral("pdf"),
           &WritePdfRecord);
  });
  connect(&runner_, &EngineRunner::engineEvent, this, [this](const client::Event& event) {
    if (const auto* c = std::get_if<client::CheckInReceived>(&event)) {
      if (ToQ(c->contact_name) == client_) reload();
    }
  });
  reload();
}

QString CheckInsView::urgentText() const {
  return urgent_->isVisible() ? urgent_->text() : QString();
}
QString CheckInsView::statusText() const { return status_->text(); }

void CheckInsView::reload() {
  const std::string name = client_.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.ExportConversation(name); },
      [this](Result<therapy::ConversationExport> result) {
        if (!result.ok()) {
          status_->setText(ErrorSentence(result.error()));
          return;
        }
        Show(std::move(result).value());
        emit reloaded();
      });
}

void CheckInsView::Show(therapy::ConversationExport conversation) {
  std::vector<client::CheckInRecord> records = client::CheckInRecords(conversation);
  QStringList reasons;
  for (const client::CheckInRecord& r : records) {
    if (r.awaiting_acknowledgement()) {
      reasons << tr("%1: %2").arg(LocalTime(r.filled_at), ToQ(r.risk));
    }
  }
  urgent_->setText(
      reasons.isEmpty()
          ? QString()
          : tr("Urgent, not yet acknowledged — %1").arg(reasons.join(QStringLiteral("; "))));
  urgent_->setVisible(!reasons.isEmpty());
  acknowledge_->setVisible(!reasons.isEmpty());
  acknowledge_->setEnabled(!reasons.isEmpty());
  if (!reasons.isEmpty()) acknowledge_->setDefault(true);
  const bool records_empty = records.empty();
  model_->SetRecords(records);
  chart_->SetRecords(std::move(records));
  const bool first = !conversation_.has_value();
  conversation_ = std::move(conversation);
  status_->setText(records_empty ? tr("No check-ins from %1 yet.").arg(client_) : QString());
  SizeColumns();
  FitTableHeight();
  // Fitted when the first rows arrive (or at once, to none); later reloads
  // keep the size the person may have chosen.
  if (first || (!fitted_to_rows_ && !records_empty)) FitWindow();
  fitted_to_rows_ = fitted_to_rows_ || !records_empty;
}

void CheckInsView::SizeColumns() {
  // A column nobody answered (no GAD-7 scheduled, no notes) is hidden.
  for (int column = 0; column < model_->columnCount(); ++column) {
    bool any = column == CheckInTableModel::kWhen;
    for (int row = 0; !any && row < model_->rowCount(); ++row) {
      any = !model_->index(row, column).data().toString().isEmpty();
    }
    table_->setColumnHidden(column, !any);
  }
  table_->resizeColumnsToContents();
  // Long text wraps within a readable measure rather than widening the window.
  const int widest = fontMetrics().averageCharWidth() * 36;
  for (int column : {int{CheckInTableModel::kUrgent}, int{CheckInTableModel::kNote}}) {
    if (table_->columnWidth(column) > widest) table_->setColumnWidth(column, widest);
  }
  table_->resizeRowsToContents();
  table_->updateGeometry();
}

void CheckInsView::FitTableHeight() {
  const int rows = model_->rowCount();
  int height = table_->horizontalHeader()->sizeHint().height() + (2 * table_->frameWidth());
  if (rows == 0) height += table_->verticalHeader()->defaultSectionSize();
  for (int row = 0; row < std::min(rows, kVisibleRows); ++row) height += table_->rowHeight(row);
  // The viewport's width as it will be: a vertical scroll bar comes with
  // more rows than are shown.
  int room = table_->width() - (2 * table_->frameWidth());
  if (rows > kVisibleRows) room -= table_->verticalScrollBar()->sizeHint().width();
  if (table_->horizontalHeader()->length() > room) {
    height += table_->horizontalScrollBar()->sizeHint().height();
  }
  if (table_->height() != height) table_->setFixedHeight(height);
}

void CheckInsView::FitWindow() {
  if (!isWindow()) return;
  int columns = 2 * table_->frameWidth();
  if (model_->rowCount() > kVisibleRows) columns += table_->verticalScrollBar()->sizeHint().width();
  for (int column = 0; column < model_->columnCount(); ++column) {
    if (!table_->isColumnHidden(column)) columns += table_->columnWidth(column);
  }
  const QMargins margins = layout()->contentsMargins();
  QSize want = sizeHint();
  want.setWidth(std::max(want.width(), columns + margins.left() + margins.right()));
  if (const QScreen* s = screen()) want = want.boundedTo(s->availableGeometry().size() * 9 / 10);
  resize(want);
  FitTableHeight();
}

void CheckInsView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // A narrower window may need the horizontal scroll bar, a wider one not.
  FitTableHeight();
}

void CheckInsView::Acknowledge() {
  acknowledge_->setEnabled(false);
  const std::string name = client_.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.AcknowledgeUrgent(name); },
      [this](Result<size_t> result) {
        if (!result.ok()) {
          acknowledge_->setEnabled(true);
          status_->setText(ErrorSentence(result.error()));
          return;
        }
        status_->setText(
            tr("Acknowledged %n urgent check-in(s).", nullptr, static_cast<int>(*result)));
        emit acknowledged();
        reload();
      });
}

void CheckInsView::Export(const QString& title, const QString& filter, const QString& suffix,
                          Status (*write)(const QString&, const therapy::ConversationExport&)) {
  if (!conversation_) return;
  QString path = QFileDialog::getSaveFileName(
      this, title, QStringLiteral("%1-check-ins.%2").arg(client_, suffix), filter);
  if (path.isEmpty()) return;
  status_->setText(tr("Saving…"));
  runner_.Run(
      this,
      [write, path, conversation = *conversation_](client::Engine&) {
        return write(path, conversation);
      },
      [this, path](const Status& status) {
        status_->setText(status.ok() ? tr("Saved %1.").arg(path) : ErrorSentence(status.error()));
      });
}

}  // namespace attune::desktop::tools
