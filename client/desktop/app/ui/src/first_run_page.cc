#include "attune/desktop/first_run_page.h"

#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QVBoxLayout>

#include "attune/client/enrollment.h"
#include "attune/desktop/form_widgets.h"
#include "attune/desktop/passphrase_strength.h"
#include "attune/desktop/profile_opener.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop {

FirstRunPage::FirstRunPage(const QString& profile_dir, QWidget* parent) : QWidget(parent) {
  auto* intro = new QLabel(
      tr("<h2>Welcome to Attune</h2><p>Create your profile. It is stored encrypted in %1 and "
         "opens only with your passphrase — nobody, including your clinic, can recover it.</p>")
          .arg(profile_dir.toHtmlEscaped()),
      this);
  intro->setWordWrap(true);
  intro->setTextFormat(Qt::RichText);

  role_ = new QComboBox(this);
  role_->addItem(tr("I am a client (I was given an invitation by my therapist)"),
                 static_cast<int>(client::Role::kClient));
  role_->addItem(tr("I am a therapist (my clinic gave me an enrollment code)"),
                 static_cast<int>(client::Role::kTherapist));
  role_->setAccessibleName(tr("Role"));
  name_ = new QLineEdit(this);
  name_->setAccessibleName(tr("Display name"));
  name_->setPlaceholderText(tr("Shown to the people you pair with"));
  pass_ = new QLineEdit(this);
  pass_->setEchoMode(QLineEdit::Password);
  pass_->setAccessibleName(tr("Passphrase"));
  confirm_ = new QLineEdit(this);
  confirm_->setEchoMode(QLineEdit::Password);
  confirm_->setAccessibleName(tr("Passphrase again"));
  strength_ = new QLabel(this);
  strength_->setWordWrap(true);
  strength_->setAccessibleName(tr("Passphrase strength"));

  enrollment_box_ = new QWidget(this);
  enrollment_ = new QPlainTextEdit(enrollment_box_);
  enrollment_->setTabChangesFocus(true);
  enrollment_->setPlaceholderText(tr("attune-enroll1:…  (paste the code from your clinic)"));
  enrollment_->setAccessibleName(tr("Enrollment code"));
  enrollment_->setMaximumHeight(enrollment_->fontMetrics().lineSpacing() * 4 + 12);
  open_file_ = new QPushButton(tr("Open enrollment &file…"), enrollment_box_);
  open_file_->setAccessibleName(tr("Open enrollment file"));
  auto* enroll_layout = new QVBoxLayout(enrollment_box_);
  enroll_layout->setContentsMargins(0, 0, 0, 0);
  enroll_layout->addWidget(enrollment_);
  enroll_layout->addWidget(open_file_, 0, Qt::AlignLeft);

  create_ = new QPushButton(tr("&Create profile"), this);
  create_->setAccessibleName(tr("Create profile"));
  create_->setDefault(true);
  progress_ = MakeKeyDerivationProgress(this, tr("Creating the profile"));
  error_ = MakeErrorLine(this);

  auto* form = new QFormLayout;
  form->addRow(tr("&Role:"), role_);
  form->addRow(tr("&Display name:"), name_);
  form->addRow(tr("&Passphrase:"), pass_);
  form->addRow(tr("Passphrase &again:"), confirm_);
  form->addRow(QString(), strength_);
  form->addRow(tr("&Enrollment code:"), enrollment_box_);
  auto* layout = new QVBoxLayout(MakeCentredColumn(this));
  layout->addStretch(1);
  layout->addWidget(intro);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(progress_);
  layout->addWidget(create_, 0, Qt::AlignRight);
  layout->addStretch(2);

  setTabOrder(role_, name_);
  setTabOrder(name_, pass_);
  setTabOrder(pass_, confirm_);
  setTabOrder(confirm_, enrollment_);
  setTabOrder(enrollment_, open_file_);
  setTabOrder(open_file_, create_);

  connect(role_, &QComboBox::currentIndexChanged, this, &FirstRunPage::UpdateRole);
  connect(pass_, &QLineEdit::textChanged, this,
          [this](const QString& text) { strength_->setText(EstimateStrength(text).text); });
  connect(open_file_, &QPushButton::clicked, this, &FirstRunPage::OpenEnrollmentFile);
  connect(create_, &QPushButton::clicked, this, &FirstRunPage::Submit);
  connect(name_, &QLineEdit::returnPressed, this, &FirstRunPage::Submit);
  connect(confirm_, &QLineEdit::returnPressed, this, &FirstRunPage::Submit);
  strength_->setText(EstimateStrength({}).text);
  UpdateRole();
}

void FirstRunPage::UpdateRole() {
  const bool therapist = role_->currentData().toInt() == static_cast<int>(client::Role::kTherapist);
  enrollment_box_->setVisible(therapist);
  if (auto* form = findChild<QFormLayout*>()) {
    if (QWidget* label = form->labelForField(enrollment_box_)) label->setVisible(therapist);
  }
}

void FirstRunPage::OpenEnrollmentFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open enrollment file"));
  if (path.isEmpty()) return;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly) || file.size() > 4096) {
    ShowError(tr("That file cannot be read as an enrollment code."));
    return;
  }
  QByteArray bytes = file.readAll();
  enrollment_->setPlainText(QString::fromUtf8(bytes).trimmed());
  crypto::SecureZero(bytes.data(), static_cast<size_t>(bytes.size()));
}

void FirstRunPage::ShowError(const QString& message) {
  error_->setText(message);
  error_->setVisible(!message.isEmpty());
}

void FirstRunPage::SetBusy(bool busy) {
  progress_->setVisible(busy);
  for (QWidget* w : std::initializer_list<QWidget*>{role_, name_, pass_, confirm_, enrollment_,
                                                    open_file_, create_}) {
    w->setEnabled(!busy);
  }
}

void FirstRunPage::Submit() {
  if (!create_->isEnabled()) return;
  auto request = std::make_shared<CreateRequest>();
  request->account.role = static_cast<client::Role>(role_->currentData().toInt());
  request->account.display_name = name_->text().trimmed().toStdString();
  if (request->account.display_name.empty()) {
    ShowError(tr("Enter the name the people you pair with will see."));
    name_->setFocus();
    return;
  }
  if (pass_->text().size() < kMinPassphraseLength) {
    ShowError(tr("The passphrase needs at least %1 characters.").arg(kMinPassphraseLength));
    pass_->setFocus();
    return;
  }
  if (pass_->text() != confirm_->text()) {
    ShowError(tr("The two passphrases differ; type them again."));
    confirm_->clear();
    confirm_->setFocus();
    return;
  }
  if (request->account.role == client::Role::kTherapist) {
    crypto::SecretBytes code = SecretFromText(enrollment_->toPlainText());
    auto relay = client::ParseEnrollmentCode(AsStringView(code.view()));
    if (!relay.ok()) {
      ShowError(tools::ErrorSentence(relay.error()));
      enrollment_->setFocus();
      return;
    }
    request->relay = std::move(relay).value();
  }
  request->passphrase = SecretFromText(pass_->text());
  ShowError({});
  emit createRequested(request);
}

}  // namespace attune::desktop
