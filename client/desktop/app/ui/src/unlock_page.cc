#include "attune/desktop/unlock_page.h"

#include <QFormLayout>
#include <QVBoxLayout>

#include "attune/desktop/form_widgets.h"
#include "attune/desktop/profile_opener.h"

namespace attune::desktop {

UnlockPage::UnlockPage(const QString& profile_dir, QWidget* parent) : QWidget(parent) {
  auto* intro = new QLabel(tr("<h2>Attune is locked</h2><p>Enter your passphrase to open the "
                              "profile in %1.</p>")
                               .arg(profile_dir.toHtmlEscaped()),
                           this);
  intro->setWordWrap(true);
  intro->setTextFormat(Qt::RichText);
  pass_ = new QLineEdit(this);
  pass_->setEchoMode(QLineEdit::Password);
  pass_->setAccessibleName(tr("Passphrase"));
  unlock_ = new QPushButton(tr("&Unlock"), this);
  unlock_->setAccessibleName(tr("Unlock"));
  unlock_->setDefault(true);
  progress_ = MakeKeyDerivationProgress(this, tr("Unlocking"));
  error_ = MakeErrorLine(this);

  auto* form = new QFormLayout;
  form->addRow(tr("&Passphrase:"), pass_);
  auto* layout = new QVBoxLayout(MakeCentredColumn(this));
  layout->addStretch(1);
  layout->addWidget(intro);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(progress_);
  layout->addWidget(unlock_, 0, Qt::AlignRight);
  layout->addStretch(2);
  setTabOrder(pass_, unlock_);
  connect(pass_, &QLineEdit::returnPressed, this, &UnlockPage::Submit);
  connect(unlock_, &QPushButton::clicked, this, &UnlockPage::Submit);
  setFocusProxy(pass_);
}

void UnlockPage::Submit() {
  if (!unlock_->isEnabled() || pass_->text().isEmpty()) return;
  auto secret = std::make_shared<crypto::SecretBytes>(SecretFromText(pass_->text()));
  pass_->clear();
  ShowError({});
  emit unlockRequested(secret);
}

void UnlockPage::SetBusy(bool busy) {
  progress_->setVisible(busy);
  pass_->setEnabled(!busy);
  unlock_->setEnabled(!busy);
}

void UnlockPage::ShowError(const QString& message) {
  error_->setText(message);
  error_->setVisible(!message.isEmpty());
}

void UnlockPage::Reset() {
  SetBusy(false);
  pass_->clear();
  pass_->setFocus();
}

}  // namespace attune::desktop
