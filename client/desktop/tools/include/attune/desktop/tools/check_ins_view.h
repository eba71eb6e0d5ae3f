// Therapist, per client: the check-ins over time as a table and as charts,
// the urgent reason spelled out with an *Acknowledge* button
// (Engine::AcknowledgeUrgent), and exports (CSV, JSON, printable PDF).
// Reloads by itself when a check-in from this client arrives. One page:
// the table as tall as its rows (up to kVisibleRows, then it scrolls), only
// the columns anyone answered (long text wrapped, not cut), and the charts
// in the rest of the window. As a window it opens at a size that shows the
// table's columns and the charts, within the screen.
#pragma once

#include <QWidget>
#include <optional>

#include "attune/client/therapy/history.h"
#include "attune/desktop/engine_runner.h"

class QLabel;
class QPushButton;
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

  // Rows the table shows before it scrolls.
  static constexpr int kVisibleRows = 8;

 public slots:
  void reload();

 signals:
  void acknowledged();
  void reloaded();

 private:
 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void Show(therapy::ConversationExport conversation);
  void SizeColumns();
  // The table's height: its header, up to kVisibleRows rows and, when the
  // columns are wider than the table, the horizontal scroll bar.
  void FitTableHeight();
  // As a window: wide enough for the table's columns and the charts, tall
  // enough for the table and the charts at their preferred height, within
  // nine tenths of the screen.
  void FitWindow();
  void Acknowledge();
  // Asks for a path, then writes on the runner's worker.
  void Export(const QString& title, const QString& filter, const QString& suffix,
              Status (*write)(const QString&, const therapy::ConversationExport&));

  EngineRunner& runner_;
  QString client_{};
  std::optional<therapy::ConversationExport> conversation_{};
  bool fitted_to_rows_ = false;  // FitWindow ran with rows in the table
  CheckInTableModel* model_ = nullptr;
  CheckInChart* chart_ = nullptr;
  QTableView* table_ = nullptr;
  QLabel* urgent_ = nullptr;
  QPushButton* acknowledge_ = nullptr;
  QLabel* status_ = nullptr;
};

}  // namespace attune::desktop::tools
