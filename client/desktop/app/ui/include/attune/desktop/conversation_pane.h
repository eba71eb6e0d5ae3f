// The middle of the main window: one conversation (bubbles, times,
// delivered marks), a banner when sending is blocked (with the engine's
// SendBlockAdvice, word for word) and the composer with its Send button.
// Used by both roles. Sends through the EngineRunner; never blocks.
#pragma once

#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QWidget>

#include "attune/client/engine.h"
#include "attune/desktop/composer.h"
#include "attune/desktop/conversation_model.h"
#include "attune/desktop/engine_runner.h"

namespace attune::desktop {

class ConversationPane : public QWidget {
  Q_OBJECT

 public:
  ConversationPane(EngineRunner& runner, QWidget* parent = nullptr);

  // Shows `contact` (nullptr: nobody chosen) and marks their messages read.
  void SetContact(const client::ContactView* contact);
  ConversationModel& model() { return model_; }
  Composer* composer() { return composer_; }
  QListView* list() { return list_; }
  QLabel* banner() { return banner_; }
  // Text shown near the composer (clients: expected reply time, hours).
  void SetContext(const QString& text);
  // Reads the conversation again (another instance changed the profile).
  void Reload() { model_.Reload(); }

 signals:
  // A message was handed to the engine (the model has it).
  void sent();
  // The shown contact's messages were marked read (their unread count changed).
  void markedRead();
  // A one-line problem for the window's status line.
  void problem(const QString& message);

 private:
  void Send();
  // Engine::MarkConversationRead for the contact shown; markedRead after.
  void MarkRead();

  EngineRunner& runner_;
  ConversationModel model_;
  QString contact_{};
  QListView* list_ = nullptr;
  QLabel* banner_ = nullptr;
  QLabel* context_ = nullptr;
  QLabel* notice_ = nullptr;
  Composer* composer_ = nullptr;
  QPushButton* send_ = nullptr;
  int earlier_from_ = 0;  // distance from the bottom when older rows were asked for
};

}  // namespace attune::desktop
