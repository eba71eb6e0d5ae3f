// Compare safety numbers with a contact (in person or on a call): the 60
// digits in 12 groups of 5 and as a QR code; *Mark as verified* records the
// match (Engine::MarkVerified), which also lifts an identity-change block.
#pragma once

#include <QDialog>
#include <QImage>

#include "attune/desktop/engine_runner.h"

class QLabel;
class QPushButton;

namespace attune::desktop::tools {

class VerifyDialog : public QDialog {
  Q_OBJECT

 public:
  VerifyDialog(EngineRunner& runner, QString contact, QWidget* parent);

  // "12345 67890 …" (12 groups), empty until loaded (tests).
  QString groupedDigits() const { return grouped_; }
  QImage qrImage() const { return qr_; }
  bool identityChanged() const { return identity_changed_; }
  QString statusText() const;

  // "12345 67890 …": 60 digits as 12 groups of 5.
  static QString Group(const QString& digits);

 signals:
  void verified();

 private:
  void Load();
  void Mark();

  EngineRunner& runner_;
  QString contact_{};
  QLabel* changed_ = nullptr;
  QLabel* digits_ = nullptr;
  QLabel* qr_label_ = nullptr;
  QLabel* status_ = nullptr;
  QPushButton* mark_ = nullptr;
  QString grouped_{};
  QImage qr_{};
  bool identity_changed_ = false;
};

}  // namespace attune::desktop::tools
