#include "attune/desktop/client_page.h"

#include <QHBoxLayout>
#include <QVBoxLayout>

#include "attune/desktop/form_widgets.h"
#include "attune/desktop/tools/check_in_dialog.h"
#include "attune/desktop/tools/crisis_resources_dialog.h"
#include "attune/desktop/tools/own_check_ins_view.h"
#include "attune/desktop/tools/ui_text.h"
#include "attune/desktop/tools/verify_dialog.h"

namespace attune::desktop {

ClientPage::ClientPage(EngineRunner& runner, QWidget* parent)
    : QWidget(parent), runner_(runner), contacts_(runner) {
  // --- before pairing ---
  pairing_ = new QWidget(this);
  auto* intro = new QLabel(tr("<h2>Connect with your therapist</h2><p>Paste the invitation code "
                              "your therapist gave you (it starts with ATTUNE1-).</p>"),
                           pairing_);
  intro->setWordWrap(true);
  invitation_ = new QPlainTextEdit(pairing_);
  invitation_->setTabChangesFocus(true);
  invitation_->setAccessibleName(tr("Invitation code"));
  invitation_->setPlaceholderText(tr("ATTUNE1-…"));
  pair_ = new QPushButton(tr("&Connect"), pairing_);
  pair_->setAccessibleName(tr("Connect with your therapist"));
  pair_error_ = new QLabel(pairing_);
  pair_error_->setWordWrap(true);
  pair_error_->setAccessibleName(tr("Error"));
  pair_error_->hide();
  auto* pairing_layout = new QVBoxLayout(MakeCentredColumn(pairing_));
  pairing_layout->addStretch(1);
  pairing_layout->addWidget(intro);
  pairing_layout->addWidget(invitation_);
  pairing_layout->addWidget(pair_error_);
  pairing_layout->addWidget(pair_, 0, Qt::AlignRight);
  pairing_layout->addStretch(2);

  // --- paired ---
  main_ = new QWidget(this);
  header_ = new QLabel(main_);
  header_->setTextFormat(Qt::PlainText);
  header_->setAccessibleName(tr("Your therapist"));
  due_ = new QLabel(main_);
  due_->setWordWrap(true);
  due_->setAccessibleName(tr("Check-in reminder"));
  due_->setFrameShape(QFrame::StyledPanel);
  due_->hide();
  checkin_ = new QPushButton(tr("&Check in…"), main_);
  checkin_->setAccessibleName(tr("Check in"));
  help_ = new QPushButton(tr("I &need help now"), main_);
  help_->setAccessibleName(tr("I need help now"));
  history_ = new QPushButton(tr("&My check-ins…"), main_);
  history_->setAccessibleName(tr("My check-ins"));
  verify_ = new QPushButton(tr("&Verify…"), main_);
  verify_->setAccessibleName(tr("Verify safety number"));
  pane_ = new ConversationPane(runner, main_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(header_, 1);
  buttons->addWidget(checkin_);
  buttons->addWidget(history_);
  buttons->addWidget(verify_);
  buttons->addWidget(help_);
  auto* main_layout = new QVBoxLayout(main_);
  main_layout->setContentsMargins(0, 0, 0, 0);
  main_layout->addLayout(buttons);
  main_layout->addWidget(due_);
  main_layout->addWidget(pane_, 1);
  setTabOrder(help_, checkin_);
  setTabOrder(checkin_, history_);
  setTabOrder(history_, verify_);
  setTabOrder(verify_, pane_->list());

  stack_ = new QStackedWidget(this);
  stack_->addWidget(pairing_);
  stack_->addWidget(main_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(stack_);

  connect(pair_, &QPushButton::clicked, this, &ClientPage::Pair);
  connect(checkin_, &QPushButton::clicked, this, &ClientPage::OpenCheckIn);
  connect(help_, &QPushButton::clicked, this, &ClientPage::OpenHelpNow);
  connect(history_, &QPushButton::clicked, this, &ClientPage::OpenOwnHistory);
  connect(verify_, &QPushButton::clicked, this, &ClientPage::OpenVerify);
  connect(&contacts_, &ContactListModel::reloaded, this, &ClientPage::OnContacts);
  connect(&contacts_, &ContactListModel::failed, this, &ClientPage::problem);
  connect(pane_, &ConversationPane::problem, this, &ClientPage::problem);
  connect(pane_, &ConversationPane::markedRead, &contacts_, &ContactListModel::Reload);
  connect(&runner_, &EngineRunner::engineEvent, this, [this](const client::Event& event) {
    const auto* c = std::get_if<client::ContactChanged>(&event);
    if (c != nullptr && c->change == client::ContactChanged::Change::kPracticeUpdated) {
      RefreshPractice();
      RefreshDue();
    }
  });
  due_timer_.setInterval(std::chrono::minutes(1));
  connect(&due_timer_, &QTimer::timeout, this, &ClientPage::RefreshDue);
  due_timer_.start();
  contacts_.Reload();
}

void ClientPage::OnContacts() {
  // A client pairs with one therapist; the first contact is them.
  const client::ContactView* t = contacts_.At(0);
  const bool was_paired = paired();
  therapist_ = t != nullptr ? QString::fromStdString(t->name) : QString();
  stack_->setCurrentWidget(t != nullptr ? main_ : pairing_);
  pane_->SetContact(t);
  if (t == nullptr) return;
  QString text = tr("Your therapist: %1").arg(QString::fromStdString(t->display_name));
  text += t->verified ? tr(" — verified") : tr(" — not verified yet");
  header_->setText(text);
  if (!was_paired) {
    RefreshPractice();
    RefreshDue();
    emit pairedChanged();
  }
}

void ClientPage::Reload() {
  contacts_.Reload();  // pairs this page when another instance paired
  if (!paired()) return;
  pane_->Reload();
  RefreshPractice();
  RefreshDue();
}

void ClientPage::Pair() {
  const std::string text = invitation_->toPlainText().toStdString();
  if (text.empty()) return;
  pair_->setEnabled(false);
  pair_error_->hide();
  runner_.Run(
      this,
      [text](client::Engine& engine) {
        return engine.Accept(text, std::optional<std::string>("therapist"));
      },
      [this](const Result<client::AcceptOutput>& result) {
        pair_->setEnabled(true);
        if (!result.ok()) {
          pair_error_->setText(tools::ErrorSentence(result.error()));
          pair_error_->show();
          return;
        }
        invitation_->clear();
        contacts_.Reload();
      });
}

void ClientPage::RefreshPractice() {
  if (!paired()) return;
  const std::string who = therapist_.toStdString();
  runner_.Run(
      this, [who](client::Engine& engine) { return engine.PracticeInfoFor(who); },
      [this](Result<client::PracticeInfo> info) {
        if (!info.ok()) return;
        QStringList parts;
        if (!info->hours_text.empty()) {
          parts << tr("Office hours: %1").arg(QString::fromStdString(info->hours_text));
        }
        if (!info->expected_reply.empty()) parts << QString::fromStdString(info->expected_reply);
        if (!info->hours_text.empty() && !info->within_hours_now && !info->next_opening.empty()) {
          parts << tr("Outside office hours now; next opening %1.")
                       .arg(QString::fromStdString(info->next_opening));
        }
        if (parts.isEmpty()) {
          // Said, not left blank: a client should not guess whether it loaded.
          parts << tr("Your therapist has not set office hours or a usual reply time.");
        }
        pane_->SetContext(parts.join(QStringLiteral("  ")));
      });
}

void ClientPage::RefreshDue() {
  if (!paired()) return;
  runner_.Run(
      this, [](client::Engine& engine) { return engine.DueCheckIns(); },
      [this](Result<std::vector<client::DueCheckIn>> due) {
        if (!due.ok()) return;
        QStringList lines;
        for (const client::DueCheckIn& d : *due) {
          if (!d.due_now) continue;
          lines << tr("A check-in is due (%1, since %2): %3.")
                       .arg(QString::fromStdString(d.cadence), QString::fromStdString(d.due_since),
                            QString::fromStdString(d.what));
        }
        due_->setText(lines.join('\n'));
        due_->setVisible(!lines.isEmpty());
      });
}

void ClientPage::OpenCheckIn() {
  if (therapist_.isEmpty()) return;
  auto* dialog = new tools::CheckInDialog(runner_, therapist_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &tools::CheckInDialog::sent, this, [this] {
    // The check-in is now part of the conversation; the reminder may go.
    if (const client::ContactView* t = contacts_.At(0)) {
      pane_->model().SetContact(QString::fromStdString(t->name), t->id);
    }
    RefreshDue();
  });
  dialog->show();
}

// Shown at once from the profile's own copy (works offline); nothing is sent.
void ClientPage::OpenHelpNow() {
  if (therapist_.isEmpty()) return;
  auto* dialog = new tools::CrisisResourcesDialog(runner_, therapist_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

void ClientPage::OpenOwnHistory() {
  if (therapist_.isEmpty()) return;
  auto* view = new tools::OwnCheckInsView(runner_, therapist_, this);
  view->setWindowFlag(Qt::Window);
  view->setAttribute(Qt::WA_DeleteOnClose);
  view->setWindowTitle(tr("My check-ins"));
  view->resize(800, 560);
  view->show();
}

void ClientPage::OpenVerify() {
  if (therapist_.isEmpty()) return;
  auto* dialog = new tools::VerifyDialog(runner_, therapist_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &tools::VerifyDialog::verified, &contacts_, &ContactListModel::Reload);
  dialog->show();
}

}  // namespace attune::desktop
