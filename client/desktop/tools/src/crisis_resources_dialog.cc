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
  // In units of the system font, so it scales with it: a measure where each
  // resource is one line, and room around the blocks, so the text sits in
  // the dialog as it does in the main window rather than filling it.
  const QFontMetrics fm = fontMetrics();
  setMinimumWidth(fm.averageCharWidth() * 84);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(fm.height() * 3 / 2, fm.height() * 3 / 2, fm.height() * 3 / 2,
                             fm.height());
  layout->setSpacing(fm.height());
  // What to do right now, first and in bold; the list below in the
  // system's own size (text scales with it, not beyond it).
  danger_ = new QLabel(this);
  danger_->setObjectName(QStringLiteral("crisisDanger"));
  danger_->setWordWrap(true);
  danger_->setTextFormat(Qt::PlainText);
  danger_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  QFont bold = danger_->font();
  bold.setBold(true);
  danger_->setFont(bold);
  Accessible(danger_, tr("If you are in danger now"));
  layout->addWidget(danger_);
  resources_ = new QLabel(this);
  resources_->setObjectName(QStringLiteral("crisisResources"));
  resources_->setWordWrap(true);
  resources_->setTextFormat(Qt::PlainText);
  resources_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  Accessible(resources_, tr("Crisis resources"));
  layout->addWidget(resources_);
  why_ = new QLabel(this);
  why_->setObjectName(QStringLiteral("crisisWhy"));
  why_->setWordWrap(true);
  Accessible(why_, tr("Which resources these are"));
  layout->addWidget(why_);
  layout->addStretch(1);
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

QString CrisisResourcesDialog::resourcesText() const {
  return danger_->text() + u'\n' + resources_->text();
}
QString CrisisResourcesDialog::whyText() const { return why_->text(); }

void CrisisResourcesDialog::Show() {
  const client::PracticeInfo* info = CrisisResourcesCache::For(runner_).Find(therapist_);
  // The first line is the engine's "if you are in danger now" sentence.
  const QString text = ResourcesText(info);
  const qsizetype end = text.indexOf(u'\n');
  danger_->setText(end < 0 ? text : text.left(end));
  resources_->setText(end < 0 ? QString() : text.mid(end + 1));
  why_->setText(info != nullptr ? ToQ(info->resources_note) : QString());
  why_->setVisible(!why_->text().isEmpty());
}

}  // namespace attune::desktop::tools
