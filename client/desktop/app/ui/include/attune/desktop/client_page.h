// The client's main screen. Before pairing: paste the therapist's
// invitation code (Engine::Accept). After: the conversation with the
// therapist, their office hours and expected reply time shown where the
// client writes (Engine::PracticeInfoFor), *Check in*, *I need help now*
// (crisis resources at once, even offline, before anything is sent), their
// own check-in history, and a reminder when a check-in is due
// (Engine::DueCheckIns, re-read every minute and on practice updates).
#pragma once

#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTimer>
#include <QWidget>

#include "attune/desktop/contact_list_model.h"
#include "attune/desktop/conversation_pane.h"
#include "attune/desktop/engine_runner.h"

namespace attune::desktop {

class ClientPage : public QWidget {
  Q_OBJECT

 public:
  explicit ClientPage(EngineRunner& runner, QWidget* parent = nullptr);

  QPlainTextEdit* invitation() { return invitation_; }
  QPushButton* pair_button() { return pair_; }
  QLabel* pair_error() { return pair_error_; }
  ConversationPane* conversation() { return pane_; }
  QPushButton* checkin_button() { return checkin_; }
  QPushButton* help_button() { return help_; }
  QPushButton* history_button() { return history_; }
  QPushButton* verify_button() { return verify_; }
  QLabel* due() { return due_; }
  ContactListModel& contacts() { return contacts_; }
  // The therapist's local name, empty before pairing.
  QString therapist() const { return therapist_; }
  bool paired() const { return !therapist_.isEmpty(); }
  // Reads the therapist, the conversation, practice settings and due
  // check-ins again (another instance changed the profile).
  void Reload();

 public slots:
  void OpenCheckIn();
  void OpenHelpNow();
  void OpenOwnHistory();
  void OpenVerify();
  void RefreshPractice();
  void RefreshDue();

 signals:
  void problem(const QString& message);
  void pairedChanged();

 private:
  void Pair();
  void OnContacts();

  EngineRunner& runner_;
  ContactListModel contacts_;
  QStackedWidget* stack_ = nullptr;
  QWidget* pairing_ = nullptr;
  QPlainTextEdit* invitation_ = nullptr;
  QPushButton* pair_ = nullptr;
  QLabel* pair_error_ = nullptr;
  QWidget* main_ = nullptr;
  QLabel* header_ = nullptr;
  QLabel* due_ = nullptr;
  ConversationPane* pane_ = nullptr;
  QPushButton* checkin_ = nullptr;
  QPushButton* help_ = nullptr;
  QPushButton* history_ = nullptr;
  QPushButton* verify_ = nullptr;
  QTimer due_timer_{};
  QString therapist_{};
};

}  // namespace attune::desktop
