#include "attune/desktop/tools/verify_dialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>
#include <utility>

#include "attune/desktop/tools/qr_image.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {
namespace {

struct LoadedSafetyNumber {
  Result<client::Engine::SafetyNumberView> number;
  Result<client::ContactView> contact;
};

}  // namespace

VerifyDialog::VerifyDialog(EngineRunner& runner, QString contact, QWidget* parent)
    : QDialog(parent), runner_(runner), contact_(std::move(contact)) {
  setWindowTitle(tr("Verify %1").arg(contact_));
  auto* layout = new QVBoxLayout(this);

  auto* intro = new QLabel(tr("Compare these numbers with %1's screen, in person or on a call. "
                              "If every group matches, no one is in between.")
                               .arg(contact_),
                           this);
  intro->setWordWrap(true);
  layout->addWidget(intro);

  changed_ = new QLabel(this);
  changed_->setObjectName(QStringLiteral("verifyChanged"));
  changed_->setWordWrap(true);
  changed_->setVisible(false);
  changed_->setText(
      tr("%1's safety number has changed since you paired (a new device, a reinstall, or "
         "someone in between). Sending is blocked until you compare the new number.")
          .arg(contact_));
  QFont bold = changed_->font();
  bold.setBold(true);
  changed_->setFont(bold);
  Accessible(changed_, tr("Identity changed"));
  layout->addWidget(changed_);

  digits_ = new QLabel(tr("Loading…"), this);
  digits_->setObjectName(QStringLiteral("verifyDigits"));
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  mono.setPointSizeF(mono.pointSizeF() * 1.4);
  digits_->setFont(mono);
  digits_->setAlignment(Qt::AlignCenter);
  digits_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  Accessible(digits_, tr("Safety number"), tr("Twelve groups of five digits."));
  layout->addWidget(digits_);

  qr_label_ = new QLabel(this);
  qr_label_->setObjectName(QStringLiteral("verifyQr"));
  qr_label_->setAlignment(Qt::AlignCenter);
  Accessible(qr_label_, tr("Safety number as a QR code"));
  layout->addWidget(qr_label_, 1);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("verifyStatus"));
  status_->setWordWrap(true);
  Accessible(status_, tr("Verification status"));
  layout->addWidget(status_);

  auto* buttons = new QDialogButtonBox(this);
  mark_ = buttons->addButton(tr("&Mark as verified"), QDialogButtonBox::AcceptRole);
  mark_->setObjectName(QStringLiteral("verifyMark"));
  mark_->setEnabled(false);
  mark_->setDefault(true);
  Accessible(mark_, tr("Mark as verified"), tr("Only if every group matched."));
  QPushButton* close = buttons->addButton(QDialogButtonBox::Close);
  Accessible(close, tr("Close"));
  layout->addWidget(buttons);
  connect(mark_, &QPushButton::clicked, this, &VerifyDialog::Mark);
  connect(close, &QPushButton::clicked, this, &QDialog::reject);
  Load();
}

QString VerifyDialog::statusText() const { return status_->text(); }

QString VerifyDialog::Group(const QString& digits) {
  QStringList groups;
  for (qsizetype i = 0; i < digits.size(); i += 5) groups << digits.mid(i, 5);
  return groups.join(u' ');
}

void VerifyDialog::Load() {
  const std::string name = contact_.toStdString();
  runner_.Run(
      this,
      [name](client::Engine& engine) {
        return std::make_shared<LoadedSafetyNumber>(
            LoadedSafetyNumber{engine.SafetyNumber(name), engine.Contact(name)});
      },
      [this](const std::shared_ptr<LoadedSafetyNumber>& loaded) {
        if (!loaded->number.ok()) {
          digits_->clear();
          status_->setText(ErrorSentence(loaded->number.error()));
          return;
        }
        const QString digits = ToQ(loaded->number->digits);
        grouped_ = Group(digits);
        // Three lines of four groups: easy to read aloud and compare.
        QStringList groups = grouped_.split(u' ');
        QStringList lines;
        for (qsizetype i = 0; i < groups.size(); i += 4) lines << groups.mid(i, 4).join(u' ');
        digits_->setText(lines.join(u'\n'));
        digits_->setAccessibleDescription(grouped_);
        qr_ = MakeQrCode(digits.toLatin1()).image;
        qr_label_->setPixmap(QPixmap::fromImage(qr_));
        identity_changed_ = loaded->number->identity_changed;
        changed_->setVisible(identity_changed_);
        const bool verified = loaded->contact.ok() && loaded->contact->verified;
        status_->setText(verified && !identity_changed_ ? tr("You have verified %1.").arg(contact_)
                                                        : tr("Not verified yet."));
        mark_->setEnabled(true);
      });
}

void VerifyDialog::Mark() {
  mark_->setEnabled(false);
  const std::string name = contact_.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.MarkVerified(name); },
      [this](const Status& status) {
        if (!status.ok()) {
          mark_->setEnabled(true);
          status_->setText(ErrorSentence(status.error()));
          return;
        }
        identity_changed_ = false;
        changed_->setVisible(false);
        status_->setText(tr("You have verified %1.").arg(contact_));
        emit verified();
      });
}

}  // namespace attune::desktop::tools
