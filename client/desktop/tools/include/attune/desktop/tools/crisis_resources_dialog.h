// Client: the crisis resources of one therapist's clinic, which set is
// shown and why. Opens at once and works offline: it shows what the
// CrisisResourcesCache holds (the local profile's copy) and never calls
// the relay.
#pragma once

#include <QDialog>

#include "attune/desktop/engine_runner.h"

class QLabel;

namespace attune::desktop::tools {

class CrisisResourcesDialog : public QDialog {
  Q_OBJECT

 public:
  CrisisResourcesDialog(EngineRunner& runner, QString therapist, QWidget* parent);

  QString resourcesText() const;  // everything listed, the danger line first
  QString whyText() const;

 private:
  void Show();

  EngineRunner& runner_;
  QString therapist_{};
  QLabel* danger_ = nullptr;
  QLabel* resources_ = nullptr;
  QLabel* why_ = nullptr;
};

}  // namespace attune::desktop::tools
