#include "attune/desktop/tools/crisis_resources_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <utility>

#include "attune/desktop/tools/crisis_resources_cache.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

CrisisResourcesDialog::CrisisResourcesDialog(EngineRunner& runner, QString therapist,
                                             QWidget* parent)
    : QDialog(parent), runner_(runner), therapist_(std::move(therapist)) {
  setWindowTitle(tr("Crisis resources"));
  setMinimumWidth(fontMetrics().averageCharWidth() * 64);  // lines stay whole, at any font size
  auto* layout = new QVBoxLayout(this);
  resources_ = new QLabel(this);
  resources_->setObjectName(QStringLiteral("crisisResources"));
  resources_->setWordWrap(true);
  resources_->setTextFormat(Qt::PlainText);
  resources_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  Accessible(resources_, tr("Crisis resources"));
  QFont larger = resources_->font();
  larger.setPointSizeF(larger.pointSizeF() * 1.15);
  resources_->setFont(larger);
  layout->addWidget(resources_);
  why_ = new QLabel(this);
  why_->setObjectName(QStringLiteral("crisisWhy"));
  why_->setWordWrap(true);
  Accessible(why_, tr("Which resources these are"));
  layout->addWidget(why_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  QPushButton* close = buttons->button(QDialogButtonBox::Close);
  close->setDefault(true);
  Accessible(close, tr("Close"));
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  CrisisResourcesCache& cache = CrisisResourcesCache::For(runner_);
  connect(&cache, &CrisisResourcesCache::updated, this, [this](const QString& who) {
    if (who == therapist_) Show();
  });
  Show();  // at once, from the cache (or the standard set)
  cache.Refresh(therapist_);
}

QString CrisisResourcesDialog::resourcesText() const { return resources_->text(); }
QString CrisisResourcesDialog::whyText() const { return why_->text(); }

void CrisisResourcesDialog::Show() {
  const client::PracticeInfo* info = CrisisResourcesCache::For(runner_).Find(therapist_);
  resources_->setText(ResourcesText(info));
  why_->setText(info != nullptr ? ToQ(info->resources_note) : QString());
  why_->setVisible(!why_->text().isEmpty());
}

}  // namespace attune::desktop::tools
