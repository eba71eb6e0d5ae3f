#include "attune/desktop/tools/invite_dialog.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

#include "attune/desktop/tools/qr_image.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

InviteDialog::InviteDialog(EngineRunner& runner, QWidget* parent)
    : QDialog(parent), runner_(runner) {
  setWindowTitle(tr("Invite a client"));
  auto* layout = new QVBoxLayout(this);

  auto* intro = new QLabel(
      tr("Give the code to your client in person or over a channel you trust. It works once."),
      this);
  intro->setWordWrap(true);
  layout->addWidget(intro);

  auto* form = new QFormLayout();
  name_ = new QLineEdit(this);
  name_->setObjectName(QStringLiteral("inviteName"));
  name_->setPlaceholderText(tr("e.g. Sam K."));
  Accessible(name_, tr("Client's name"),
             tr("What this client is called on this device only; never sent."));
  form->addRow(tr("Client's &name:"), name_);
  layout->addLayout(form);

  create_ = new QPushButton(tr("&Create invitation"), this);
  create_->setObjectName(QStringLiteral("inviteCreate"));
  create_->setDefault(true);
  Accessible(create_, tr("Create invitation"));
  layout->addWidget(create_);

  error_ = new QLabel(this);
  error_->setObjectName(QStringLiteral("inviteError"));
  error_->setWordWrap(true);
  error_->setVisible(false);
  Accessible(error_, tr("Error"));
  layout->addWidget(error_);

  auto* code_row = new QHBoxLayout();
  code_ = new QLineEdit(this);
  code_->setObjectName(QStringLiteral("inviteCode"));
  code_->setReadOnly(true);
  code_->setPlaceholderText(tr("The one-time code appears here"));
  Accessible(code_, tr("One-time invitation code"),
             tr("Select it or use Copy; the client pastes it into Attune."));
  copy_ = new QPushButton(tr("Co&py"), this);
  copy_->setObjectName(QStringLiteral("inviteCopy"));
  copy_->setEnabled(false);
  Accessible(copy_, tr("Copy the code"));
  code_row->addWidget(code_, 1);
  code_row->addWidget(copy_);
  layout->addLayout(code_row);

  expiry_ = new QLabel(this);
  expiry_->setObjectName(QStringLiteral("inviteExpiry"));
  Accessible(expiry_, tr("Expiry"));
  layout->addWidget(expiry_);

  qr_label_ = new QLabel(this);
  qr_label_->setObjectName(QStringLiteral("inviteQr"));
  qr_label_->setAlignment(Qt::AlignCenter);
  Accessible(qr_label_, tr("QR code of the invitation"),
             tr("The same code as above, for the client's phone camera."));
  layout->addWidget(qr_label_, 1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  Accessible(buttons->button(QDialogButtonBox::Close), tr("Close"));
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(create_, &QPushButton::clicked, this, &InviteDialog::Create);
  connect(copy_, &QPushButton::clicked, this, &InviteDialog::Copy);
  setTabOrder(name_, create_);
  setTabOrder(create_, code_);
  setTabOrder(code_, copy_);
}

QString InviteDialog::code() const { return code_->text(); }
QString InviteDialog::errorText() const { return error_->isVisible() ? error_->text() : QString(); }

void InviteDialog::Create() {
  client::InviteRequest request;
  const QString name = name_->text().trimmed();
  if (!name.isEmpty()) request.local_name = name.toStdString();
  create_->setEnabled(false);
  error_->setVisible(false);
  expiry_->setText(tr("Creating the invitation on the clinic's relay…"));
  runner_.Run(
      this, [request](client::Engine& engine) { return engine.Invite(request); },
      [this, name](Result<client::InvitationOutput> result) {
        create_->setEnabled(true);
        if (!result.ok()) {
          expiry_->clear();
          error_->setText(ErrorSentence(result.error()));
          error_->setVisible(true);
          return;
        }
        code_->setText(ToQ(result->text));
        code_->setCursorPosition(0);  // the start ("ATTUNE1-") in view, not the end
        copy_->setEnabled(true);
        expiry_->setText(tr("Valid once, until %1 (your local time).")
                             .arg(LocalTime(static_cast<int64_t>(result->expires_at))));
        const QrCode qr = MakeQrCode(QByteArray::fromStdString(result->text));
        qr_ = qr.image;
        qr_label_->setPixmap(QPixmap::fromImage(qr_));
        copy_->setFocus();
        emit invited(name);
      });
}

void InviteDialog::Copy() { QGuiApplication::clipboard()->setText(code_->text()); }

}  // namespace attune::desktop::tools
