// Therapist: the practice's settings — office hours with time zone,
// expected reply time and auto-reply; the crisis resources the clinic's
// clients are shown; a check-in schedule per client. Each is validated by
// core/therapy's types and stored and pushed by the engine
// (SetOfficeHours / SetCrisisResources / SendSchedule); any refusal is
// shown as one sentence and nothing changes.
#pragma once

#include <QDialog>
#include <QLabel>
#include <QPushButton>
#include <utility>
#include <vector>

#include "attune/desktop/engine_runner.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace attune::desktop::tools {

class PracticeSettingsDialog : public QDialog {
  Q_OBJECT

 public:
  PracticeSettingsDialog(EngineRunner& runner, QWidget* parent);

  QString statusText() const;
  bool loaded() const { return loaded_; }

 signals:
  // A setting was stored and pushed (or queued for the clients).
  void saved();

 private:
  QWidget* BuildHoursTab();
  QWidget* BuildResourcesTab();
  QWidget* BuildScheduleTab();
  void Load();
  void LoadSchedule(const QString& client);
  void AddResourceRow(const QString& label, const QString& contact, therapy::CrisisContactKind kind,
                      const QString& note);
  void SaveHours();
  void SaveResources();
  void SendSchedule();
  // Runs a store-and-push on the worker (controls disabled meanwhile), then
  // shows what it reached.
  template <typename Work>
  void Push(Work work) {
    for (QPushButton* b : actions_) b->setEnabled(false);
    status_->setText(tr("Saving and sending…"));
    runner_.Run(this, std::move(work),
                [this](const Result<client::PushReport>& report) { ShowPush(report); });
  }
  void ShowPush(const Result<client::PushReport>& report);

  EngineRunner& runner_;
  bool loaded_ = false;
  QLineEdit* windows_ = nullptr;
  QComboBox* zone_ = nullptr;
  QSpinBox* reply_hours_ = nullptr;
  QLineEdit* reply_text_ = nullptr;
  QPlainTextEdit* auto_reply_ = nullptr;
  QLineEdit* locale_ = nullptr;
  QTableWidget* resources_ = nullptr;
  QComboBox* client_ = nullptr;
  QLineEdit* cadence_ = nullptr;
  QLineEdit* schedule_zone_ = nullptr;
  QCheckBox* active_ = nullptr;
  std::vector<std::pair<therapy::CheckInItem, QCheckBox*>> items_{};
  std::vector<std::pair<therapy::InstrumentId, QCheckBox*>> instruments_{};
  QLabel* status_ = nullptr;
  std::vector<QPushButton*> actions_{};
};

}  // namespace attune::desktop::tools
