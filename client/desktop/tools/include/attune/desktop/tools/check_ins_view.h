// Therapist, per client: the check-ins over time as a table and as charts,
// the urgent reason spelled out with an *Acknowledge* button
// (Engine::AcknowledgeUrgent), and exports (CSV, JSON, printable PDF).
// Reloads by itself when a check-in from this client arrives. As a window
// it fits its content: the table's rows and the columns anyone answered
// (wrapped, not cut), or the charts when they are on show.
#pragma once

#include <QWidget>
#include <optional>

#include "attune/client/therapy/history.h"
#include "attune/desktop/engine_runner.h"

class QLabel;
class QPushButton;
class QTabWidget;
class QTableView;

namespace attune::desktop::tools {

class CheckInChart;
class CheckInTableModel;

class CheckInsView : public QWidget {
  Q_OBJECT

 public:
  CheckInsView(EngineRunner& runner, QString client, QWidget* parent);

  CheckInTableModel* model() const { return model_; }
  CheckInChart* chart() const { return chart_; }
  QString urgentText() const;  // empty when nothing awaits acknowledgement
  QString statusText() const;
  bool loaded() const { return conversation_.has_value(); }

 public slots:
  void reload();

 signals:
  void acknowledged();
  void reloaded();

 private:
  void Show(therapy::ConversationExport conversation);
  void SizeColumns();
  // Resizes the window to the current tab's content; never smaller than
  // now unless `shrink`.
  void FitToContent(bool shrink);
  void Acknowledge();
  // Asks for a path, then writes on the runner's worker.
  void Export(const QString& title, const QString& filter, const QString& suffix,
              Status (*write)(const QString&, const therapy::ConversationExport&));

  EngineRunner& runner_;
  QString client_{};
  std::optional<therapy::ConversationExport> conversation_{};
  CheckInTableModel* model_ = nullptr;
  CheckInChart* chart_ = nullptr;
  QTableView* table_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QLabel* urgent_ = nullptr;
  QPushButton* acknowledge_ = nullptr;
  QLabel* status_ = nullptr;
};

}  // namespace attune::desktop::tools
