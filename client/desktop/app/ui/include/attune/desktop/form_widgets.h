// Pieces the first-run, unlock and pairing screens share: their centred
// column, the busy indicator shown while Argon2 derives the key (it reports
// no steps, so it is indeterminate and says what is happening) and the
// one-sentence error line.
#pragma once

#include <QHBoxLayout>
#include <QLabel>
#include <QObject>
#include <QProgressBar>
#include <QWidget>

namespace attune::desktop {

// Lays `page` out as a column of a readable measure (`chars` of the system
// font, so it scales with it) centred in the window, instead of a form and
// lines of text across the whole width. Returns the column: the page's
// content goes into its layout.
inline QWidget* MakeCentredColumn(QWidget* page, int chars = 90) {
  auto* column = new QWidget(page);
  column->setMaximumWidth(page->fontMetrics().averageCharWidth() * chars);
  column->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  auto* row = new QHBoxLayout(page);
  row->setContentsMargins(0, 0, 0, 0);
  row->addStretch(1);
  row->addWidget(column, 100);  // all the width up to its maximum
  row->addStretch(1);
  return column;
}

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
