// Pieces the first-run and unlock screens share: the busy indicator shown
// while Argon2 derives the key (it reports no steps, so it is indeterminate
// and says what is happening) and the one-sentence error line.
#pragma once

#include <QLabel>
#include <QObject>
#include <QProgressBar>

namespace attune::desktop {

inline QProgressBar* MakeKeyDerivationProgress(QWidget* parent, const QString& accessible_name) {
  auto* progress = new QProgressBar(parent);
  progress->setRange(0, 0);
  progress->setFormat(QObject::tr("Deriving the key from your passphrase…"));
  progress->setTextVisible(true);
  progress->setAccessibleName(accessible_name);
  progress->hide();
  return progress;
}

inline QLabel* MakeErrorLine(QWidget* parent) {
  auto* error = new QLabel(parent);
  error->setWordWrap(true);
  error->setAccessibleName(QObject::tr("Error"));
  error->hide();
  return error;
}

}  // namespace attune::desktop
