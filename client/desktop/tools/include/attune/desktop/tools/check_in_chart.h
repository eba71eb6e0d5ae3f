// Check-ins over time as charts (Qt Charts): the PHQ-9 and GAD-7 totals
// over their shaded severity bands, and mood, anxiety and sleep. One widget
// for both uses — a therapist's view of a client (CheckInsView) and a
// client's own history (OwnCheckInsView). PHQ-9 and GAD-7 side by side
// (a questionnaire nobody answered is hidden), the daily values below.
// Follows the system palette and font; rebuilds itself when the palette
// changes (light/dark).
#pragma once

#include <QWidget>
#include <vector>

#include "attune/client/check_ins.h"

QT_BEGIN_NAMESPACE
class QChartView;
class QChart;
QT_END_NAMESPACE

namespace attune::desktop::tools {

class CheckInChart : public QWidget {
  Q_OBJECT

 public:
  explicit CheckInChart(QWidget* parent = nullptr);

  void SetRecords(std::vector<client::CheckInRecord> records);  // oldest first
  QSize sizeHint() const override;  // two charts side by side over a third

  // The charts (tests, screenshots): PHQ-9, GAD-7, mood/anxiety/sleep.
  QChart* phq9Chart() const;
  QChart* gad7Chart() const;
  QChart* dailyChart() const;

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void Rebuild();

  std::vector<client::CheckInRecord> records_{};
  QChartView* phq9_ = nullptr;
  QChartView* gad7_ = nullptr;
  QChartView* daily_ = nullptr;
};

}  // namespace attune::desktop::tools
