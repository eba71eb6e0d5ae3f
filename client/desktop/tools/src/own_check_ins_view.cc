#include "attune/desktop/tools/own_check_ins_view.h"

#include <QLabel>
#include <QVBoxLayout>
#include <utility>

#include "attune/desktop/tools/check_in_chart.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

OwnCheckInsView::OwnCheckInsView(EngineRunner& runner, QString therapist, QWidget* parent)
    : QWidget(parent), runner_(runner), therapist_(std::move(therapist)) {
  setAccessibleName(tr("Your check-ins"));
  auto* layout = new QVBoxLayout(this);
  status_ = new QLabel(tr("Loading…"), this);
  status_->setObjectName(QStringLiteral("ownCheckInsStatus"));
  status_->setWordWrap(true);
  Accessible(status_, tr("Summary"));
  layout->addWidget(status_);
  chart_ = new CheckInChart(this);
  layout->addWidget(chart_, 1);
  reload();
}

QString OwnCheckInsView::statusText() const { return status_->text(); }

void OwnCheckInsView::reload() {
  const std::string name = therapist_.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.CheckIns(name); },
      [this](Result<std::vector<client::CheckInRecord>> result) {
        if (!result.ok()) {
          status_->setText(ErrorSentence(result.error()));
          return;
        }
        std::vector<client::CheckInRecord> own;
        for (client::CheckInRecord& r : *result) {
          if (!r.received) own.push_back(std::move(r));
        }
        count_ = static_cast<int>(own.size());
        status_->setText(
            own.empty()
                ? tr("No check-ins yet. Your check-ins with %1 will appear here.").arg(therapist_)
                : tr("%n check-in(s) with %1.", nullptr, count_).arg(therapist_));
        chart_->SetRecords(std::move(own));
        emit reloaded();
      });
}

}  // namespace attune::desktop::tools
