// Therapist: invite a client. The client's local name goes in; the engine
// creates the invitation on the clinic relay (Engine::Invite, off the GUI
// thread); out come the one-time code (selectable, with a Copy button), its
// expiry in local time and the code as a QR image to scan from the screen.
#pragma once

#include <QDialog>
#include <QImage>

#include "attune/desktop/engine_runner.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace attune::desktop::tools {

class InviteDialog : public QDialog {
  Q_OBJECT

 public:
  InviteDialog(EngineRunner& runner, QWidget* parent);

  // What is shown (tests; empty until an invitation exists).
  QString code() const;
  QImage qrImage() const { return qr_; }
  QString errorText() const;

 signals:
  // An invitation now exists for `local_name` (empty: the invitee's own name).
  void invited(const QString& local_name);

 private:
  void Create();
  void Copy();

  EngineRunner& runner_;
  QLineEdit* name_ = nullptr;
  QPushButton* create_ = nullptr;
  QLabel* error_ = nullptr;
  QLineEdit* code_ = nullptr;
  QPushButton* copy_ = nullptr;
  QLabel* expiry_ = nullptr;
  QLabel* qr_label_ = nullptr;
  QImage qr_{};
};

}  // namespace attune::desktop::tools
