#include "attune/desktop/tools/practice_settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimeZone>
#include <QVBoxLayout>
#include <algorithm>

#include "attune/desktop/tools/ui_text.h"
#include "attune/therapy/content.h"
#include "attune/therapy/instrument.h"

namespace attune::desktop::tools {
namespace {

constexpr therapy::CrisisContactKind kKinds[] = {
    therapy::CrisisContactKind::kCall, therapy::CrisisContactKind::kText,
    therapy::CrisisContactKind::kCallOrText, therapy::CrisisContactKind::kUrl};
constexpr therapy::CheckInItem kItems[] = {
    therapy::CheckInItem::kMood, therapy::CheckInItem::kAnxiety, therapy::CheckInItem::kSleep,
    therapy::CheckInItem::kNote};
enum ResourceColumn { kLabel, kContact, kKind, kNote };

struct Loaded {
  Result<std::optional<therapy::OfficeHours>> hours;
  Result<std::optional<therapy::CrisisResourceSet>> resources;
  Result<std::vector<client::ContactView>> contacts;
};

QString CellText(const QTableWidget* table, int row, int column) {
  const QTableWidgetItem* item = table->item(row, column);
  return item == nullptr ? QString() : item->text().trimmed();
}

}  // namespace

PracticeSettingsDialog::PracticeSettingsDialog(EngineRunner& runner, QWidget* parent)
    : QDialog(parent), runner_(runner) {
  setWindowTitle(tr("Practice settings"));
  auto* layout = new QVBoxLayout(this);
  auto* tabs = new QTabWidget(this);
  Accessible(tabs, tr("Practice settings"));
  tabs->addTab(BuildHoursTab(), tr("&Office hours"));
  tabs->addTab(BuildResourcesTab(), tr("C&risis resources"));
  tabs->addTab(BuildScheduleTab(), tr("Check-in &schedules"));
  layout->addWidget(tabs, 1);
  status_ = new QLabel(tr("Loading…"), this);
  status_->setObjectName(QStringLiteral("practiceStatus"));
  status_->setWordWrap(true);
  Accessible(status_, tr("Status"));
  layout->addWidget(status_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  Accessible(buttons->button(QDialogButtonBox::Close), tr("Close"));
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  for (QPushButton* b : actions_) b->setEnabled(false);
  Load();
}

QString PracticeSettingsDialog::statusText() const { return status_->text(); }

QWidget* PracticeSettingsDialog::BuildHoursTab() {
  auto* page = new QWidget(this);
  auto* form = new QFormLayout(page);
  windows_ = new QLineEdit(page);
  windows_->setObjectName(QStringLiteral("practiceWindows"));
  windows_->setPlaceholderText(QStringLiteral("Mon-Fri 09:00-17:00; Sat 10:00-12:00"));
  Accessible(windows_, tr("Office hours"), tr("Days and times, e.g. Mon-Fri 09:00-17:00"));
  form->addRow(tr("&Hours:"), windows_);
  zone_ = new QComboBox(page);
  zone_->setObjectName(QStringLiteral("practiceZone"));
  zone_->setEditable(true);
  for (const QByteArray& id : QTimeZone::availableTimeZoneIds()) {
    zone_->addItem(QString::fromLatin1(id));
  }
  zone_->setCurrentText(QString::fromLatin1(QTimeZone::systemTimeZoneId()));
  Accessible(zone_, tr("Time zone of the office hours"));
  form->addRow(tr("&Time zone:"), zone_);
  reply_hours_ = new QSpinBox(page);
  reply_hours_->setObjectName(QStringLiteral("practiceReplyHours"));
  reply_hours_->setRange(0, 24 * 30);
  reply_hours_->setValue(24);
  reply_hours_->setSuffix(tr(" h"));
  Accessible(reply_hours_, tr("Expected reply time in hours"));
  form->addRow(tr("Usually replies &within:"), reply_hours_);
  reply_text_ = new QLineEdit(page);
  reply_text_->setObjectName(QStringLiteral("practiceReplyText"));
  reply_text_->setPlaceholderText(tr("Optional, e.g. Usually replies the next working day."));
  Accessible(reply_text_, tr("Expected reply time in your own words"));
  form->addRow(tr("Reply time in &words:"), reply_text_);
  auto_reply_ = new QPlainTextEdit(page);
  auto_reply_->setObjectName(QStringLiteral("practiceAutoReply"));
  auto_reply_->setTabChangesFocus(true);
  Accessible(auto_reply_, tr("Auto-reply"),
             tr("Shown on the client's own device when they write outside office hours."));
  form->addRow(tr("&Auto-reply:"), auto_reply_);
  auto* save = new QPushButton(tr("Save and send office &hours"), page);
  save->setObjectName(QStringLiteral("practiceSaveHours"));
  Accessible(save, tr("Save and send office hours to every client"));
  form->addRow(save);
  actions_.push_back(save);
  connect(save, &QPushButton::clicked, this, &PracticeSettingsDialog::SaveHours);
  return page;
}

QWidget* PracticeSettingsDialog::BuildResourcesTab() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* form = new QFormLayout();
  locale_ = new QLineEdit(QStringLiteral("en-US"), page);
  locale_->setObjectName(QStringLiteral("practiceLocale"));
  Accessible(locale_, tr("Locale of the resources"), tr("e.g. en-US, de-DE"));
  form->addRow(tr("&Locale:"), locale_);
  layout->addLayout(form);
  resources_ = new QTableWidget(0, 4, page);
  resources_->setObjectName(QStringLiteral("practiceResources"));
  resources_->setHorizontalHeaderLabels(
      {tr("Name"), tr("Number or address"), tr("How"), tr("Note")});
  resources_->horizontalHeader()->setStretchLastSection(true);
  resources_->setTabKeyNavigation(false);  // Tab leaves the table; arrows move within
  Accessible(resources_, tr("Crisis resources"), tr("One per row: name, number, how, note."));
  layout->addWidget(resources_, 1);
  auto* row = new QHBoxLayout();
  auto* add = new QPushButton(tr("A&dd"), page);
  Accessible(add, tr("Add a resource"));
  auto* remove = new QPushButton(tr("Re&move"), page);
  Accessible(remove, tr("Remove the selected resource"));
  auto* save = new QPushButton(tr("Save and send r&esources"), page);
  save->setObjectName(QStringLiteral("practiceSaveResources"));
  Accessible(save, tr("Save and send the crisis resources to every client"));
  row->addWidget(add);
  row->addWidget(remove);
  row->addStretch(1);
  row->addWidget(save);
  layout->addLayout(row);
  actions_.push_back(save);
  connect(add, &QPushButton::clicked, this, [this] {
    AddResourceRow({}, {}, therapy::CrisisContactKind::kCall, {});
    resources_->setCurrentCell(resources_->rowCount() - 1, kLabel);
    resources_->setFocus();
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    if (resources_->currentRow() >= 0) resources_->removeRow(resources_->currentRow());
  });
  connect(save, &QPushButton::clicked, this, &PracticeSettingsDialog::SaveResources);
  return page;
}

QWidget* PracticeSettingsDialog::BuildScheduleTab() {
  auto* page = new QWidget(this);
  auto* form = new QFormLayout(page);
  client_ = new QComboBox(page);
  client_->setObjectName(QStringLiteral("practiceClient"));
  Accessible(client_, tr("Client"));
  form->addRow(tr("&Client:"), client_);
  cadence_ = new QLineEdit(page);
  cadence_->setObjectName(QStringLiteral("practiceCadence"));
  cadence_->setPlaceholderText(QStringLiteral("daily 20:00 · weekdays 08:30 · Mon, Thu 09:00"));
  Accessible(cadence_, tr("When to check in"), tr("e.g. daily 20:00 or Mon, Thu 09:00"));
  form->addRow(tr("&When:"), cadence_);
  auto* items = new QHBoxLayout();
  for (therapy::CheckInItem item : kItems) {
    auto* box = new QCheckBox(QString::fromLatin1(therapy::CheckInItemName(item)), page);
    box->setObjectName(QStringLiteral("practiceItem-%1").arg(box->text()));
    box->setChecked(item != therapy::CheckInItem::kNote);
    Accessible(box, tr("Ask for %1").arg(box->text()));
    items->addWidget(box);
    items_.emplace_back(item, box);
  }
  form->addRow(tr("Ask for:"), items);
  auto* instruments = new QHBoxLayout();
  for (therapy::InstrumentId id : therapy::kAllInstruments) {
    auto* box = new QCheckBox(ToQ(therapy::GetInstrument(id).short_name), page);
    box->setObjectName(QStringLiteral("practiceInstrument-%1").arg(box->text()));
    Accessible(box, tr("Include %1").arg(ToQ(therapy::GetInstrument(id).title)));
    instruments->addWidget(box);
    instruments_.emplace_back(id, box);
  }
  form->addRow(tr("Questionnaires:"), instruments);
  schedule_zone_ = new QLineEdit(page);
  schedule_zone_->setObjectName(QStringLiteral("practiceScheduleZone"));
  schedule_zone_->setPlaceholderText(tr("Blank: the client's own time zone"));
  Accessible(schedule_zone_, tr("Time zone of the schedule"));
  form->addRow(tr("Time &zone:"), schedule_zone_);
  active_ = new QCheckBox(tr("Acti&ve"), page);
  active_->setChecked(true);
  Accessible(active_, tr("Schedule active"), tr("Clear to stop asking this client."));
  form->addRow(active_);
  auto* send = new QPushButton(tr("Send sche&dule"), page);
  send->setObjectName(QStringLiteral("practiceSendSchedule"));
  Accessible(send, tr("Send the schedule to the client"));
  form->addRow(send);
  actions_.push_back(send);
  connect(send, &QPushButton::clicked, this, &PracticeSettingsDialog::SendSchedule);
  connect(client_, &QComboBox::currentTextChanged, this, &PracticeSettingsDialog::LoadSchedule);
  return page;
}

void PracticeSettingsDialog::AddResourceRow(const QString& label, const QString& contact,
                                            therapy::CrisisContactKind kind, const QString& note) {
  const int row = resources_->rowCount();
  resources_->insertRow(row);
  resources_->setItem(row, kLabel, new QTableWidgetItem(label));
  resources_->setItem(row, kContact, new QTableWidgetItem(contact));
  resources_->setItem(row, kNote, new QTableWidgetItem(note));
  auto* how = new QComboBox(resources_);
  for (therapy::CrisisContactKind k : kKinds) {
    how->addItem(QString::fromLatin1(therapy::CrisisContactKindName(k)), static_cast<int>(k));
  }
  how->setCurrentIndex(how->findData(static_cast<int>(kind)));
  Accessible(how, tr("How to reach resource %1").arg(row + 1));
  resources_->setCellWidget(row, kKind, how);
}

void PracticeSettingsDialog::Load() {
  runner_.Run(
      this,
      [](client::Engine& engine) {
        return std::make_shared<Loaded>(
            Loaded{engine.OwnOfficeHours(), engine.OwnCrisisResources(), engine.Contacts()});
      },
      [this](const std::shared_ptr<Loaded>& loaded) {
        status_->clear();
        if (loaded->hours.ok() && loaded->hours->has_value()) {
          const therapy::OfficeHours& h = **loaded->hours;
          windows_->setText(ToQ(therapy::OfficeHours::FormatWindows(h.windows())));
          zone_->setCurrentText(ToQ(h.time_zone()));
          reply_hours_->setValue(static_cast<int>(h.expected_reply_hours()));
          reply_text_->setText(ToQ(h.expected_reply_text()));
          auto_reply_->setPlainText(ToQ(h.auto_reply()));
        }
        const therapy::CrisisResourceSet& set =
            loaded->resources.ok() && loaded->resources->has_value()
                ? **loaded->resources
                : therapy::DefaultUsCrisisResources();
        locale_->setText(ToQ(set.locale()));
        for (const therapy::CrisisResource& r : set.resources()) {
          AddResourceRow(ToQ(r.label), ToQ(r.contact), r.kind, ToQ(r.note));
        }
        if (loaded->contacts.ok()) {
          for (const client::ContactView& c : *loaded->contacts) client_->addItem(ToQ(c.name));
        }
        if (!loaded->contacts.ok()) status_->setText(ErrorSentence(loaded->contacts.error()));
        for (QPushButton* b : actions_) b->setEnabled(true);
        loaded_ = true;
      });
}

void PracticeSettingsDialog::LoadSchedule(const QString& client) {
  if (client.isEmpty()) return;
  const std::string name = client.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.SentSchedule(name); },
      [this, client](Result<std::optional<therapy::CheckInSchedule>> schedule) {
        if (client_->currentText() != client || !schedule.ok() || !schedule->has_value()) return;
        const therapy::CheckInSchedule& s = **schedule;
        cadence_->setText(ToQ(s.cadence.ToString()));
        schedule_zone_->setText(ToQ(s.time_zone));
        active_->setChecked(s.active);
        for (auto& [item, box] : items_) {
          box->setChecked(std::find(s.items.begin(), s.items.end(), item) != s.items.end());
        }
        for (auto& [id, box] : instruments_) {
          box->setChecked(std::find(s.instruments.begin(), s.instruments.end(), id) !=
                          s.instruments.end());
        }
      });
}

void PracticeSettingsDialog::ShowPush(const Result<client::PushReport>& report) {
  for (QPushButton* b : actions_) b->setEnabled(true);
  if (!report.ok()) {
    status_->setText(ErrorSentence(report.error()));
    return;
  }
  QString text = report->sent == 1 ? tr("Saved; sent to 1 client.")
                                   : tr("Saved; sent to %1 clients.").arg(report->sent);
  if (report->pending > 0) {
    text += u' ' + tr("%n more will receive it when the relay can be reached.", nullptr,
                      static_cast<int>(report->pending));
  }
  for (const auto& [who, why] : report->refused) {
    text += u' ' + tr("Not sent to %1: %2")
                       .arg(ToQ(who), ErrorSentence(Error{ErrorCode::kInvalidArgument, why}));
  }
  status_->setText(text);
  emit saved();
}

void PracticeSettingsDialog::SaveHours() {
  auto windows = therapy::OfficeHours::ParseWindows(windows_->text().trimmed().toStdString());
  if (!windows.ok()) {
    status_->setText(ErrorSentence(windows.error()));
    windows_->setFocus();
    return;
  }
  auto hours = therapy::OfficeHours::Create(
      std::move(windows).value(), zone_->currentText().trimmed().toStdString(),
      static_cast<uint32_t>(reply_hours_->value()), reply_text_->text().trimmed().toStdString(),
      auto_reply_->toPlainText().trimmed().toStdString());
  if (!hours.ok()) {
    status_->setText(ErrorSentence(hours.error()));
    return;
  }
  Push([h = std::move(hours).value()](client::Engine& engine) {
    return engine.SetOfficeHours(h, "");
  });
}

void PracticeSettingsDialog::SaveResources() {
  std::vector<therapy::CrisisResource> list;
  for (int row = 0; row < resources_->rowCount(); ++row) {
    therapy::CrisisResource r;
    r.label = CellText(resources_, row, kLabel).toStdString();
    r.contact = CellText(resources_, row, kContact).toStdString();
    r.note = CellText(resources_, row, kNote).toStdString();
    const auto* how = qobject_cast<QComboBox*>(resources_->cellWidget(row, kKind));
    r.kind = static_cast<therapy::CrisisContactKind>(how->currentData().toInt());
    if (r.label.empty() && r.contact.empty() && r.note.empty()) continue;  // a blank row
    list.push_back(std::move(r));
  }
  auto set =
      therapy::CrisisResourceSet::Create(locale_->text().trimmed().toStdString(), std::move(list));
  if (!set.ok()) {
    status_->setText(ErrorSentence(set.error()));
    return;
  }
  Push([s = std::move(set).value()](client::Engine& engine) {
    return engine.SetCrisisResources(s, "");
  });
}

void PracticeSettingsDialog::SendSchedule() {
  const QString client = client_->currentText();
  if (client.isEmpty()) {
    status_->setText(tr("There is no client to send a schedule to yet."));
    return;
  }
  auto cadence = therapy::Cadence::Parse(cadence_->text().trimmed().toStdString());
  if (!cadence.ok()) {
    status_->setText(ErrorSentence(cadence.error()));
    cadence_->setFocus();
    return;
  }
  therapy::CheckInSchedule schedule{{},
                                    {},
                                    std::move(cadence).value(),
                                    schedule_zone_->text().trimmed().toStdString(),
                                    active_->isChecked()};
  for (const auto& [item, box] : items_) {
    if (box->isChecked()) schedule.items.push_back(item);
  }
  for (const auto& [id, box] : instruments_) {
    if (box->isChecked()) schedule.instruments.push_back(id);
  }
  Push([name = client.toStdString(), schedule](client::Engine& engine) {
    return engine.SendSchedule(name, schedule);
  });
}

}  // namespace attune::desktop::tools
