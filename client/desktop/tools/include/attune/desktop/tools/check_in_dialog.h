// Client: fill in a check-in for one therapist — what the engine says the
// form asks (Engine::CheckInFormFor: the scheduled daily items among mood,
// anxiety, sleep and a note, and the PHQ-9 / GAD-7 the therapist
// scheduled), with the published wording and answer options as buttons
// (from core/therapy) and the attribution. Times come from the engine's
// clock (Engine::SendCheckInNow stamps the check-in), never the system's.
//
// When an answer signals risk — by core/therapy's AssessRisk, asked after
// every answer — or the client presses *I need help now*, the crisis
// resources appear in the dialog at once, before anything is sent and
// without the relay (CrisisResourcesCache). *Send* hands the check-in to
// Engine::SendCheckIn; a relay that cannot be reached leaves it queued.
#pragma once

#include <QDialog>
#include <QTimer>
#include <optional>
#include <vector>

#include "attune/client/practice.h"
#include "attune/desktop/engine_runner.h"
#include "attune/therapy/content.h"

class QButtonGroup;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QVBoxLayout;

namespace attune::desktop::tools {

class CheckInDialog : public QDialog {
  Q_OBJECT

 public:
  CheckInDialog(EngineRunner& runner, QString therapist, QWidget* parent);

  bool resourcesShown() const;
  QString resourcesText() const;
  QString statusText() const;
  bool scheduleLoaded() const { return schedule_loaded_; }

 signals:
  void sent();

 private:
  struct Section {
    therapy::InstrumentId id{};
    std::vector<QButtonGroup*> items{};
    QButtonGroup* difficulty = nullptr;
  };

  void BuildForm(const client::CheckInForm& form);
  void AddInstrument(therapy::InstrumentId id);
  // Widens the dialog to the form's widest row, within the screen.
  void FitToContent();
  // Asks core/therapy whether what is answered so far signals risk.
  void CheckRisk();
  void ShowResources();
  void Send();

  EngineRunner& runner_;
  QString therapist_{};
  std::optional<therapy::MessageId> schedule_id_{};
  int64_t opened_at_ = 0;  // the engine's clock when the form was built
  bool schedule_loaded_ = false;
  bool help_now_ = false;
  bool done_ = false;

  QGroupBox* resources_box_ = nullptr;
  QLabel* resources_ = nullptr;
  QTimer fit_timer_{};  // FitToContent once the built form is shown
  QScrollArea* scroll_ = nullptr;
  QVBoxLayout* form_ = nullptr;
  QSpinBox* mood_ = nullptr;  // nullptr when the form does not ask it
  QSpinBox* anxiety_ = nullptr;
  QLineEdit* sleep_ = nullptr;
  QPlainTextEdit* note_ = nullptr;
  std::vector<Section> sections_{};
  QLabel* status_ = nullptr;
  QPushButton* help_ = nullptr;
  QPushButton* send_ = nullptr;
  QPushButton* cancel_ = nullptr;
};

}  // namespace attune::desktop::tools
