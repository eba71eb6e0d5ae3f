#include "attune/desktop/therapist_page.h"

#include <QHBoxLayout>
#include <QSplitter>
#include <QVBoxLayout>

#include "attune/desktop/contact_delegate.h"
#include "attune/desktop/tools/check_ins_view.h"
#include "attune/desktop/tools/invite_dialog.h"
#include "attune/desktop/tools/practice_settings_dialog.h"
#include "attune/desktop/tools/verify_dialog.h"

namespace attune::desktop {

TherapistPage::TherapistPage(EngineRunner& runner, QWidget* parent)
    : QWidget(parent), runner_(runner), contacts_(runner) {
  list_ = new QListView(this);
  list_->setModel(&contacts_);
  list_->setAccessibleName(tr("Clients"));
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  // Rows fit the column: names elide, never a horizontal scrollbar.
  list_->setItemDelegate(new ContactDelegate(list_));
  list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  list_->setTextElideMode(Qt::ElideRight);
  list_->setUniformItemSizes(true);
  invite_ = new QPushButton(tr("&Invite a client…"), this);
  invite_->setAccessibleName(tr("Invite a client"));
  settings_ = new QPushButton(tr("&Practice settings…"), this);
  settings_->setAccessibleName(tr("Practice settings"));
  auto* left = new QWidget(this);
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  left_layout->addWidget(new QLabel(tr("Clients"), left));
  left_layout->addWidget(list_, 1);
  left_layout->addWidget(invite_);
  left_layout->addWidget(settings_);

  header_ = new QLabel(this);
  header_->setAccessibleName(tr("Selected client"));
  header_->setTextFormat(Qt::PlainText);
  verify_ = new QPushButton(tr("&Verify…"), this);
  verify_->setAccessibleName(tr("Verify safety number"));
  checkins_ = new QPushButton(tr("Check-&ins…"), this);
  checkins_->setAccessibleName(tr("Check-ins of this client"));
  pane_ = new ConversationPane(runner, this);
  auto* middle = new QWidget(this);
  auto* top = new QHBoxLayout;
  top->addWidget(header_, 1);
  top->addWidget(checkins_);
  top->addWidget(verify_);
  auto* middle_layout = new QVBoxLayout(middle);
  middle_layout->setContentsMargins(0, 0, 0, 0);
  middle_layout->addLayout(top);
  middle_layout->addWidget(pane_, 1);

  auto* split = new QSplitter(this);
  split->addWidget(left);
  split->addWidget(middle);
  split->setStretchFactor(1, 3);
  split->setSizes({320, 680});
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(split);

  setTabOrder(list_, invite_);
  setTabOrder(invite_, settings_);
  setTabOrder(settings_, checkins_);
  setTabOrder(checkins_, verify_);
  setTabOrder(verify_, pane_->list());

  connect(list_->selectionModel(), &QItemSelectionModel::currentChanged, this,
          &TherapistPage::OnSelection);
  connect(&contacts_, &ContactListModel::reloaded, this, &TherapistPage::Restore);
  connect(&contacts_, &ContactListModel::failed, this, &TherapistPage::problem);
  connect(pane_, &ConversationPane::problem, this, &TherapistPage::problem);
  connect(pane_, &ConversationPane::markedRead, &contacts_, &ContactListModel::Reload);
  connect(invite_, &QPushButton::clicked, this, &TherapistPage::OpenInvite);
  connect(verify_, &QPushButton::clicked, this, &TherapistPage::OpenVerify);
  connect(checkins_, &QPushButton::clicked, this, &TherapistPage::OpenCheckIns);
  connect(settings_, &QPushButton::clicked, this, &TherapistPage::OpenPracticeSettings);
  OnSelection();
  contacts_.Reload();
}

void TherapistPage::Select(const QString& name) {
  const int row = contacts_.RowOf(name);
  if (row >= 0) list_->setCurrentIndex(contacts_.index(row));
}

void TherapistPage::Reload() {
  contacts_.Reload();
  pane_->Reload();
}

void TherapistPage::Restore() {
  // A reload may reorder rows (urgent first): keep the same person selected.
  if (!current_.isEmpty()) {
    const int row = contacts_.RowOf(current_);
    if (row >= 0 && list_->currentIndex().row() != row) {
      QSignalBlocker block(list_->selectionModel());
      list_->setCurrentIndex(contacts_.index(row));
    }
  }
  OnSelection();
}

void TherapistPage::OnSelection() {
  const client::ContactView* c = contacts_.At(list_->currentIndex().row());
  current_ = c != nullptr ? QString::fromStdString(c->name) : QString();
  pane_->SetContact(c);
  verify_->setEnabled(c != nullptr);
  checkins_->setEnabled(c != nullptr);
  if (c == nullptr) {
    header_->setText(contacts_.rowCount() == 0 ? tr("No clients yet — invite one.")
                                               : tr("Choose a client."));
    return;
  }
  QString text = QString::fromStdString(c->name);
  if (c->display_name != c->name && !c->display_name.empty()) {
    text += QStringLiteral(" (") + QString::fromStdString(c->display_name) + ')';
  }
  text += c->verified ? tr(" — verified") : tr(" — not verified yet");
  header_->setText(text);
}

// The tools are non-modal children of this page: locking deletes the page,
// and with it any open dialog, before the runner they use.
void TherapistPage::OpenInvite() {
  auto* dialog = new tools::InviteDialog(runner_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &tools::InviteDialog::invited, &contacts_, &ContactListModel::Reload);
  dialog->show();
}

void TherapistPage::OpenVerify() {
  if (current_.isEmpty()) return;
  auto* dialog = new tools::VerifyDialog(runner_, current_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &tools::VerifyDialog::verified, &contacts_, &ContactListModel::Reload);
  dialog->show();
}

void TherapistPage::OpenCheckIns() {
  if (current_.isEmpty()) return;
  auto* view = new tools::CheckInsView(runner_, current_, this);
  view->setWindowFlag(Qt::Window);
  view->setAttribute(Qt::WA_DeleteOnClose);
  view->setWindowTitle(tr("Check-ins of %1").arg(current_));
  connect(view, &tools::CheckInsView::acknowledged, &contacts_, &ContactListModel::Reload);
  view->show();  // sized to its rows once they are read
}

void TherapistPage::OpenPracticeSettings() {
  auto* dialog = new tools::PracticeSettingsDialog(runner_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

}  // namespace attune::desktop
