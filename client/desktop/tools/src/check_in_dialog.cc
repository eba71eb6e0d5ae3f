#include "attune/desktop/tools/check_in_dialog.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
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
  // Room for a questionnaire's answer buttons on one row and the crisis
  // resources above them, in units of the font so it scales with it.
  const QFontMetrics fm(font());
  setMinimumSize(fm.averageCharWidth() * 60, fm.height() * 22);
  resize(fm.averageCharWidth() * 84, fm.height() * 40);
  auto* layout = new QVBoxLayout(this);
  fit_timer_.setSingleShot(true);
  fit_timer_.setInterval(0);
  connect(&fit_timer_, &QTimer::timeout, this, &CheckInDialog::FitToContent);

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

  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  auto* form_widget = new QWidget(scroll_);
  form_ = new QVBoxLayout(form_widget);
  scroll_->setWidget(form_widget);
  layout->addWidget(scroll_, 1);

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

  // What to ask is the engine's answer (the schedule's items and
  // questionnaires), as is the time: the form never reads the system clock.
  const std::string name = therapist_.toStdString();
  runner_.Run(
      this,
      [name](client::Engine& engine) {
        return std::make_pair(engine.CheckInFormFor(name), engine.Now());
      },
      [this](const std::pair<Result<client::CheckInForm>, int64_t>& answer) {
        const auto& [form, now] = answer;
        opened_at_ = now;
        if (!form.ok()) status_->setText(ErrorSentence(form.error()));
        BuildForm(form.ok() ? *form : client::CheckInForm{});
      });
}

bool CheckInDialog::resourcesShown() const { return !resources_box_->isHidden(); }
QString CheckInDialog::resourcesText() const { return resources_->text(); }
QString CheckInDialog::statusText() const { return status_->text(); }

void CheckInDialog::BuildForm(const client::CheckInForm& form) {
  QWidget* host = form_->parentWidget();
  schedule_id_ = form.schedule_message_id;
  const auto asks = [&](therapy::CheckInItem item) {
    return std::find(form.items.begin(), form.items.end(), item) != form.items.end();
  };
  auto* daily = new QFormLayout();
  if (asks(therapy::CheckInItem::kMood)) {
    mood_ = ZeroToTen(host, tr("Mood"), tr("0 very low, 10 very good"));
    mood_->setObjectName(QStringLiteral("checkInMood"));
    daily->addRow(tr("&Mood (0–10):"), mood_);
  }
  if (asks(therapy::CheckInItem::kAnxiety)) {
    anxiety_ = ZeroToTen(host, tr("Anxiety"), tr("0 none, 10 severe"));
    anxiety_->setObjectName(QStringLiteral("checkInAnxiety"));
    daily->addRow(tr("&Anxiety (0–10):"), anxiety_);
  }
  if (asks(therapy::CheckInItem::kSleep)) {
    sleep_ = new QLineEdit(host);
    sleep_->setPlaceholderText(tr("e.g. 7.5 or 7:30"));
    sleep_->setObjectName(QStringLiteral("checkInSleep"));
    Accessible(sleep_, tr("Hours slept"), tr("Last night, e.g. 7.5 or 7:30"));
    daily->addRow(tr("&Sleep (hours):"), sleep_);
  }
  form_->addLayout(daily);
  for (therapy::InstrumentId id : form.instruments) AddInstrument(id);
  if (!form.instruments.empty()) {
    auto* attribution = new QLabel(ToQ(therapy::kPhqGadAttribution), host);
    attribution->setObjectName(QStringLiteral("checkInAttribution"));
    attribution->setWordWrap(true);
    QFont small = attribution->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    attribution->setFont(small);
    Accessible(attribution, tr("Attribution of the questionnaires"));
    form_->addWidget(attribution);
  }
  if (asks(therapy::CheckInItem::kNote)) {
    auto* note_label = new QLabel(tr("&Note (optional):"), host);
    note_ = new QPlainTextEdit(host);
    note_->setObjectName(QStringLiteral("checkInNote"));
    note_->setTabChangesFocus(true);
    note_label->setBuddy(note_);
    Accessible(note_, tr("Note"), tr("Anything you want your therapist to know."));
    form_->addWidget(note_label);
    form_->addWidget(note_);
  }
  form_->addStretch(1);
  schedule_loaded_ = true;
  // The new widgets show on the next event loop turn; measure them after.
  fit_timer_.start();
}

void CheckInDialog::FitToContent() {
  // Wide enough for the widest row of answer buttons (no sideways
  // scrolling), within the screen; never smaller than it is.
  const QRect screen =
      this->screen() != nullptr ? this->screen()->availableGeometry() : QRect(0, 0, 1280, 800);
  const QMargins m = layout()->contentsMargins();
  const int form_w = scroll_->widget()->sizeHint().width() +
                     scroll_->verticalScrollBar()->sizeHint().width() + 2 * scroll_->frameWidth() +
                     m.left() + m.right();
  resize(std::min(std::max(width(), form_w), screen.width() * 9 / 10),
         std::min(height(), screen.height() * 9 / 10));
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
  input.filled_at = std::max<int64_t>(opened_at_, 1);  // risk does not depend on it
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
  if (mood_ != nullptr && mood_->value() >= 0) input.mood = static_cast<uint32_t>(mood_->value());
  if (anxiety_ != nullptr && anxiety_->value() >= 0) {
    input.anxiety = static_cast<uint32_t>(anxiety_->value());
  }
  if (sleep_ != nullptr && !sleep_->text().trimmed().isEmpty()) {
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
  input.schedule_message_id = schedule_id_;
  // Checked here so that risk is shown before anything leaves this device;
  // the engine stamps the fill time (its clock) when it sends.
  therapy::CheckInInput checked = input;
  checked.filled_at = std::max<int64_t>(opened_at_, 1);
  auto check_in = therapy::CheckIn::Create(std::move(checked));
  if (!check_in.ok()) {
    status_->setText(ErrorSentence(check_in.error()));
    return;
  }
  if (therapy::AssessRisk(*check_in).urgent) ShowResources();

  send_->setEnabled(false);
  status_->setText(tr("Sending…"));
  const std::string name = therapist_.toStdString();
  runner_.Run(
      this,
      [name, input = std::move(input)](client::Engine& engine) {
        return engine.SendCheckInNow(name, input);
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
