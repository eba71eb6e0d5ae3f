// The therapist's main screen: clients on the left (ContactListModel, in the
// engine's attention order: urgent check-ins pinned first with a badge until
// acknowledged), the conversation in the middle, and the tools — invite,
// verify, check-ins, practice settings — as buttons and window actions.
#pragma once

#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QWidget>

#include "attune/desktop/contact_list_model.h"
#include "attune/desktop/conversation_pane.h"
#include "attune/desktop/engine_runner.h"

namespace attune::desktop {

class TherapistPage : public QWidget {
  Q_OBJECT

 public:
  explicit TherapistPage(EngineRunner& runner, QWidget* parent = nullptr);

  ContactListModel& contacts() { return contacts_; }
  QListView* contact_list() { return list_; }
  ConversationPane* conversation() { return pane_; }
  QPushButton* invite_button() { return invite_; }
  QPushButton* verify_button() { return verify_; }
  QPushButton* checkins_button() { return checkins_; }
  QPushButton* settings_button() { return settings_; }
  // The selected client's local name, or empty.
  QString current() const { return current_; }
  void Select(const QString& name);
  // Reads the list and the conversation again (another instance changed
  // the profile).
  void Reload();

 public slots:
  void OpenInvite();
  void OpenVerify();
  void OpenCheckIns();
  void OpenPracticeSettings();

 signals:
  void problem(const QString& message);

 private:
  void OnSelection();
  void Restore();

  EngineRunner& runner_;
  ContactListModel contacts_;
  QListView* list_ = nullptr;
  ConversationPane* pane_ = nullptr;
  QLabel* header_ = nullptr;
  QPushButton* invite_ = nullptr;
  QPushButton* verify_ = nullptr;
  QPushButton* checkins_ = nullptr;
  QPushButton* settings_ = nullptr;
  QString current_{};
};

}  // namespace attune::desktop
