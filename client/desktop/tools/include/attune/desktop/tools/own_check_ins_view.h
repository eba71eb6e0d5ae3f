// Client: their own check-ins with one therapist over time, as the same
// charts the therapist sees (CheckInChart). Reloads after a new check-in
// (call reload(), e.g. on CheckInDialog::sent).
#pragma once

#include <QWidget>

#include "attune/desktop/engine_runner.h"

class QLabel;

namespace attune::desktop::tools {

class CheckInChart;

class OwnCheckInsView : public QWidget {
  Q_OBJECT

 public:
  OwnCheckInsView(EngineRunner& runner, QString therapist, QWidget* parent);

  CheckInChart* chart() const { return chart_; }
  int count() const { return count_; }  // check-ins shown
  QString statusText() const;

 public slots:
  void reload();

 signals:
  void reloaded();

 private:
  EngineRunner& runner_;
  QString therapist_{};
  CheckInChart* chart_ = nullptr;
  QLabel* status_ = nullptr;
  int count_ = 0;
};

}  // namespace attune::desktop::tools
