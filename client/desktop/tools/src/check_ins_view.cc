#include "attune/desktop/tools/check_ins_view.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QSizePolicy>
#include <QTabWidget>
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

  tabs_ = new QTabWidget(this);
  QTabWidget* tabs = tabs_;
  Accessible(tabs, tr("Check-ins as table or charts"));
  model_ = new CheckInTableModel(this);
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("checkInsTable"));
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  // As tall and wide as its rows (FitToContent); the urgent reason and the
  // note wrap instead of being cut off.
  table_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
  table_->setWordWrap(true);
  table_->setTextElideMode(Qt::ElideNone);
  Accessible(table_, tr("Check-ins, newest first"));
  chart_ = new CheckInChart(this);
  tabs->addTab(table_, tr("&Table"));
  tabs->addTab(chart_, tr("C&harts"));
  layout->addWidget(tabs, 1);
  connect(tabs, &QTabWidget::currentChanged, this, [this] { FitToContent(/*shrink=*/false); });

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
  exports->addStretch(1);
  layout->addLayout(exports);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("checkInsStatus"));
  status_->setWordWrap(true);
  Accessible(status_, tr("Status"));
  layout->addWidget(status_);

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
  model_->SetRecords(records);
  chart_->SetRecords(std::move(records));
  const bool first = !conversation_.has_value();
  conversation_ = std::move(conversation);
  SizeColumns();
  // Fitted once, when the rows first arrive; later reloads keep the size the
  // person may have chosen.
  if (first) FitToContent(/*shrink=*/true);
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

void CheckInsView::FitToContent(bool shrink) {
  // A hidden page must not hold the window at its own minimum (the charts'
  // heights): only the page on show has a size policy that counts.
  for (int i = 0; i < tabs_->count(); ++i) {
    const auto policy = i == tabs_->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored;
    tabs_->widget(i)->setSizePolicy(policy, policy);
  }
  if (!isWindow()) return;
  // Only the page on show counts: a few rows need far less room than the
  // charts do, and QTabWidget's own hint is that of its largest page.
  int largest = 0;
  for (int i = 0; i < tabs_->count(); ++i) {
    largest = std::max(largest, tabs_->widget(i)->sizeHint().height());
  }
  const int chrome = tabs_->sizeHint().height() - largest;
  QSize want = sizeHint();
  want.setHeight(want.height() - tabs_->sizeHint().height() + chrome +
                 tabs_->currentWidget()->sizeHint().height());
  if (const QScreen* s = screen()) want = want.boundedTo(s->availableGeometry().size() * 2 / 3);
  resize(shrink ? want : want.expandedTo(size()));
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
