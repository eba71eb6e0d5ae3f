#include "attune/desktop/tools/check_in_dialog.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <utility>

#include "attune/desktop/tools/crisis_resources_cache.h"
#include "attune/desktop/tools/ui_text.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/instrument.h"

namespace attune::desktop::tools {
namespace {

QSpinBox* ZeroToTen(QWidget* parent, const QString& name, const QString& description) {
  auto* box = new QSpinBox(parent);
  box->setRange(-1, 10);
  box->setValue(-1);
  box->setSpecialValueText(QObject::tr("Not answered"));
  Accessible(box, name, description);
  return box;
}

std::optional<uint32_t> Answer(const QButtonGroup* group) {
  const int id = group->checkedId();
  return id < 0 ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(id));
}

}  // namespace

CheckInDialog::CheckInDialog(EngineRunner& runner, QString therapist, QWidget* parent)
    : QDialog(parent), runner_(runner), therapist_(std::move(therapist)) {
  setWindowTitle(tr("Check in with %1").arg(therapist_));
  auto* layout = new QVBoxLayout(this);

  // Above the form, so it is seen the moment it appears.
  resources_box_ = new QGroupBox(tr("Help is available now"), this);
  resources_box_->setObjectName(QStringLiteral("checkInResourcesBox"));
  auto* resources_layout = new QVBoxLayout(resources_box_);
  resources_ = new QLabel(resources_box_);
  resources_->setObjectName(QStringLiteral("checkInResources"));
  resources_->setWordWrap(true);
  resources_->setTextFormat(Qt::PlainText);
  resources_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  Accessible(resources_, tr("Crisis resources"));
  resources_layout->addWidget(resources_);
  resources_box_->setVisible(false);
  layout->addWidget(resources_box_);

  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  auto* form_widget = new QWidget(scroll);
  form_ = new QVBoxLayout(form_widget);
  scroll->setWidget(form_widget);
  layout->addWidget(scroll, 1);

  auto* daily = new QFormLayout();
  mood_ = ZeroToTen(form_widget, tr("Mood"), tr("0 very low, 10 very good"));
  anxiety_ = ZeroToTen(form_widget, tr("Anxiety"), tr("0 none, 10 severe"));
  sleep_ = new QLineEdit(form_widget);
  sleep_->setPlaceholderText(tr("e.g. 7.5 or 7:30"));
  Accessible(sleep_, tr("Hours slept"), tr("Last night, e.g. 7.5 or 7:30"));
  mood_->setObjectName(QStringLiteral("checkInMood"));
  anxiety_->setObjectName(QStringLiteral("checkInAnxiety"));
  sleep_->setObjectName(QStringLiteral("checkInSleep"));
  daily->addRow(tr("&Mood (0–10):"), mood_);
  daily->addRow(tr("&Anxiety (0–10):"), anxiety_);
  daily->addRow(tr("&Sleep (hours):"), sleep_);
  form_->addLayout(daily);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("checkInStatus"));
  status_->setWordWrap(true);
  Accessible(status_, tr("Status"));
  layout->addWidget(status_);

  auto* buttons = new QDialogButtonBox(this);
  help_ = buttons->addButton(tr("I need &help now"), QDialogButtonBox::ActionRole);
  help_->setObjectName(QStringLiteral("checkInHelpNow"));
  help_->setAutoDefault(false);
  Accessible(help_, tr("I need help now"),
             tr("Shows crisis resources at once and marks this check-in urgent."));
  send_ = buttons->addButton(tr("S&end"), QDialogButtonBox::AcceptRole);
  send_->setObjectName(QStringLiteral("checkInSend"));
  send_->setDefault(true);
  Accessible(send_, tr("Send the check-in"));
  cancel_ = buttons->addButton(QDialogButtonBox::Cancel);
  Accessible(cancel_, tr("Cancel"));
  layout->addWidget(buttons);
  connect(help_, &QPushButton::clicked, this, [this] {
    help_now_ = true;
    ShowResources();
  });
  connect(send_, &QPushButton::clicked, this, &CheckInDialog::Send);
  connect(cancel_, &QPushButton::clicked, this, &QDialog::reject);
  connect(&CrisisResourcesCache::For(runner_), &CrisisResourcesCache::updated, this,
          [this](const QString& who) {
            if (who == therapist_ && resourcesShown()) ShowResources();
          });
  CrisisResourcesCache::For(runner_).Refresh(therapist_);

  const std::string name = therapist_.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.ActiveSchedule(name); },
      [this](Result<std::optional<therapy::ValidatedContent>> schedule) {
        if (!schedule.ok()) status_->setText(ErrorSentence(schedule.error()));
        BuildForm(schedule.ok() ? *schedule : std::nullopt);
      });
}

bool CheckInDialog::resourcesShown() const { return !resources_box_->isHidden(); }
QString CheckInDialog::resourcesText() const { return resources_->text(); }
QString CheckInDialog::statusText() const { return status_->text(); }

void CheckInDialog::BuildForm(const std::optional<therapy::ValidatedContent>& schedule) {
  std::vector<therapy::InstrumentId> instruments;
  if (schedule) {
    const auto& s = std::get<therapy::CheckInSchedule>(schedule->body);
    schedule_id_ = schedule->message_id;
    instruments = s.instruments;
  }
  for (therapy::InstrumentId id : instruments) AddInstrument(id);
  if (!instruments.empty()) {
    auto* attribution = new QLabel(ToQ(therapy::kPhqGadAttribution), form_->parentWidget());
    attribution->setObjectName(QStringLiteral("checkInAttribution"));
    attribution->setWordWrap(true);
    QFont small = attribution->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    attribution->setFont(small);
    Accessible(attribution, tr("Attribution of the questionnaires"));
    form_->addWidget(attribution);
  }
  auto* note_label = new QLabel(tr("&Note (optional):"), form_->parentWidget());
  note_ = new QPlainTextEdit(form_->parentWidget());
  note_->setObjectName(QStringLiteral("checkInNote"));
  note_->setTabChangesFocus(true);
  note_label->setBuddy(note_);
  Accessible(note_, tr("Note"), tr("Anything you want your therapist to know."));
  form_->addWidget(note_label);
  form_->addWidget(note_);
  schedule_loaded_ = true;
}

void CheckInDialog::AddInstrument(therapy::InstrumentId id) {
  const therapy::InstrumentSpec& spec = therapy::GetInstrument(id);
  auto* box = new QGroupBox(QStringLiteral("%1 (%2)").arg(ToQ(spec.title), ToQ(spec.short_name)),
                            form_->parentWidget());
  box->setObjectName(ToQ(spec.short_name));
  // The chosen answer in the palette's highlight, so it stands out in any
  // style and in dark mode (palette() references, no fixed colours).
  box->setStyleSheet(QStringLiteral(
      "QPushButton:checked { background: palette(highlight); color: palette(highlighted-text); }"));
  auto* layout = new QVBoxLayout(box);
  auto* stem = new QLabel(ToQ(spec.stem), box);
  stem->setWordWrap(true);
  layout->addWidget(stem);
  Section section;
  section.id = id;
  auto add_question = [&](const QString& text, std::span<const std::string_view> options,
                          const QString& object) {
    auto* label = new QLabel(text, box);
    label->setWordWrap(true);
    layout->addWidget(label);
    auto* row = new QHBoxLayout();
    auto* group = new QButtonGroup(box);
    group->setExclusive(true);
    for (size_t v = 0; v < options.size(); ++v) {
      auto* b = new QPushButton(ToQ(options[v]), box);
      b->setCheckable(true);
      b->setAutoDefault(false);
      b->setObjectName(QStringLiteral("%1-answer%2").arg(object).arg(v));
      Accessible(b, QStringLiteral("%1: %2").arg(text, ToQ(options[v])));
      group->addButton(b, static_cast<int>(v));
      row->addWidget(b);
    }
    row->addStretch(1);
    layout->addLayout(row);
    connect(group, &QButtonGroup::idClicked, this, &CheckInDialog::CheckRisk);
    return group;
  };
  for (size_t i = 0; i < spec.items.size(); ++i) {
    section.items.push_back(
        add_question(QStringLiteral("%1. %2").arg(i + 1).arg(ToQ(spec.items[i])), spec.options,
                     QStringLiteral("%1-item%2").arg(ToQ(spec.short_name)).arg(i + 1)));
  }
  if (!spec.difficulty_question.empty()) {
    section.difficulty = add_question(ToQ(spec.difficulty_question), spec.difficulty_options,
                                      QStringLiteral("%1-difficulty").arg(ToQ(spec.short_name)));
  }
  sections_.push_back(std::move(section));
  form_->addWidget(box);
}

void CheckInDialog::CheckRisk() {
  if (resourcesShown()) return;
  // What is answered so far, the rest as 0 (an unanswered item cannot add
  // risk), judged by the core's rule.
  therapy::CheckInInput input;
  for (const Section& s : sections_) {
    therapy::CheckInInput::Answers answers;
    answers.instrument = s.id;
    bool any = false;
    for (const QButtonGroup* g : s.items) {
      const std::optional<uint32_t> a = Answer(g);
      any = any || a.has_value();
      answers.values.push_back(a.value_or(0));
    }
    if (any) input.instruments.push_back(std::move(answers));
  }
  input.help_now = help_now_;
  input.filled_at = QDateTime::currentSecsSinceEpoch();
  auto check_in = therapy::CheckIn::Create(std::move(input));
  if (check_in.ok() && therapy::AssessRisk(*check_in).urgent) ShowResources();
}

void CheckInDialog::ShowResources() {
  resources_->setText(ResourcesText(CrisisResourcesCache::For(runner_).Find(therapist_)));
  resources_box_->setVisible(true);
}

void CheckInDialog::Send() {
  if (done_) {
    accept();
    return;
  }
  therapy::CheckInInput input;
  if (mood_->value() >= 0) input.mood = static_cast<uint32_t>(mood_->value());
  if (anxiety_->value() >= 0) input.anxiety = static_cast<uint32_t>(anxiety_->value());
  if (!sleep_->text().trimmed().isEmpty()) {
    auto minutes = therapy::ParseSleepHours(sleep_->text().trimmed().toStdString());
    if (!minutes.ok()) {
      status_->setText(ErrorSentence(minutes.error()));
      sleep_->setFocus();
      return;
    }
    input.sleep_minutes = *minutes;
  }
  for (const Section& s : sections_) {
    therapy::CheckInInput::Answers answers;
    answers.instrument = s.id;
    size_t missing = 0;
    for (const QButtonGroup* g : s.items) {
      const std::optional<uint32_t> a = Answer(g);
      if (a) answers.values.push_back(*a);
      missing += a ? 0 : 1;
    }
    if (answers.values.empty()) continue;  // not filled in: not sent
    if (missing != 0) {
      status_->setText(tr("Please answer the %n remaining %1 question(s), or leave it all blank.",
                          nullptr, static_cast<int>(missing))
                           .arg(ToQ(therapy::GetInstrument(s.id).short_name)));
      return;
    }
    if (s.difficulty != nullptr) answers.difficulty = Answer(s.difficulty);
    input.instruments.push_back(std::move(answers));
  }
  if (note_ != nullptr) input.note = note_->toPlainText().trimmed().toStdString();
  input.help_now = help_now_;
  input.filled_at = QDateTime::currentSecsSinceEpoch();
  input.utc_offset_seconds = QDateTime::currentDateTime().offsetFromUtc();
  input.schedule_message_id = schedule_id_;
  auto check_in = therapy::CheckIn::Create(std::move(input));
  if (!check_in.ok()) {
    status_->setText(ErrorSentence(check_in.error()));
    return;
  }
  // Risk is shown before anything leaves this device.
  if (therapy::AssessRisk(*check_in).urgent) ShowResources();

  send_->setEnabled(false);
  status_->setText(tr("Sending…"));
  const std::string name = therapist_.toStdString();
  runner_.Run(
      this,
      [name, c = std::move(check_in).value()](client::Engine& engine) {
        return engine.SendCheckIn(name, c);
      },
      [this](Result<client::SendResult> result) {
        send_->setEnabled(true);
        if (!result.ok()) {
          status_->setText(ErrorSentence(result.error()));
          return;
        }
        done_ = true;
        status_->setText(
            result->uploaded
                ? tr("Sent to %1.").arg(therapist_)
                : tr("Saved on this device; it will be sent when the relay can be reached (%1).")
                      .arg(ToQ(result->pending_reason)));
        emit sent();
        if (!resourcesShown()) {
          accept();
          return;
        }
        // Keep the resources on screen; Send now closes.
        send_->setText(tr("&Close"));
        cancel_->setVisible(false);
      });
}

}  // namespace attune::desktop::tools
