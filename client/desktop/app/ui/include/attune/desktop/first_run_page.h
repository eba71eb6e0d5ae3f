// First run: role, display name, passphrase twice (no echo) with an honest
// strength hint, and for therapists the clinic's enrollment code (pasted or
// opened from a file). Validates what it can show at once (matching
// passphrases, minimum length, the enrollment code via the engine's parser)
// and emits createRequested; the window creates the profile off the GUI
// thread and calls SetBusy/ShowError.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QWidget>
#include <optional>

#include "attune/client/account.h"
#include "attune/crypto/secret.h"

namespace attune::desktop {

struct CreateRequest {
  client::AccountInfo account{};
  std::optional<client::ClinicRelay> relay{};
  crypto::SecretBytes passphrase{};
};

class FirstRunPage : public QWidget {
  Q_OBJECT

 public:
  explicit FirstRunPage(const QString& profile_dir, QWidget* parent = nullptr);

  void SetBusy(bool busy);
  void ShowError(const QString& message);

  QComboBox* role() { return role_; }
  QLineEdit* name() { return name_; }
  QLineEdit* passphrase() { return pass_; }
  QLineEdit* confirmation() { return confirm_; }
  QPlainTextEdit* enrollment() { return enrollment_; }
  QPushButton* create() { return create_; }
  QLabel* error() { return error_; }
  QLabel* strength() { return strength_; }

 signals:
  void createRequested(std::shared_ptr<attune::desktop::CreateRequest> request);

 private:
  void UpdateRole();
  void OpenEnrollmentFile();
  void Submit();

  QComboBox* role_ = nullptr;
  QLineEdit* name_ = nullptr;
  QLineEdit* pass_ = nullptr;
  QLineEdit* confirm_ = nullptr;
  QLabel* strength_ = nullptr;
  QWidget* enrollment_box_ = nullptr;
  QPlainTextEdit* enrollment_ = nullptr;
  QPushButton* open_file_ = nullptr;
  QPushButton* create_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* error_ = nullptr;
};

}  // namespace attune::desktop
