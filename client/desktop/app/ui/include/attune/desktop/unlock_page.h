// Later runs (and after auto-lock): the passphrase, a busy indicator while
// the key is derived, and one clear sentence when it fails (a wrong
// passphrase, a damaged profile) — nothing else changes.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QWidget>

#include "attune/crypto/secret.h"

namespace attune::desktop {

class UnlockPage : public QWidget {
  Q_OBJECT

 public:
  explicit UnlockPage(const QString& profile_dir, QWidget* parent = nullptr);

  void SetBusy(bool busy);
  void ShowError(const QString& message);
  // Back to an empty passphrase field with focus (after lock or failure).
  void Reset();

  QLineEdit* passphrase() { return pass_; }
  QPushButton* unlock() { return unlock_; }
  QLabel* error() { return error_; }
  QProgressBar* progress() { return progress_; }

 signals:
  void unlockRequested(std::shared_ptr<attune::crypto::SecretBytes> passphrase);

 private:
  void Submit();

  QLineEdit* pass_ = nullptr;
  QPushButton* unlock_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* error_ = nullptr;
};

}  // namespace attune::desktop
