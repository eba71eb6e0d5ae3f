#include "attune/desktop/main_window.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QMenuBar>
#include <QPainter>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>

#include "attune/client/store/profile.h"
#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop {
namespace {

constexpr const char* kIdleKey = "lock/idle_minutes";
constexpr const char* kDetailsKey = "notify/details";
constexpr int kDefaultIdleMinutes = 10;

}  // namespace

QIcon AppIcon() {
  QPixmap pixmap(64, 64);
  pixmap.fill(Qt::transparent);
  QPainter p(&pixmap);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(QColor(0x2e, 0x7d, 0x6b));
  p.setPen(Qt::NoPen);
  p.drawRoundedRect(QRectF(4, 8, 56, 40), 12, 12);
  QPolygonF tail;
  tail << QPointF(16, 44) << QPointF(14, 58) << QPointF(30, 46);
  p.drawPolygon(tail);
  p.setBrush(Qt::white);
  for (int i = 0; i < 3; ++i) p.drawEllipse(QPointF(20 + i * 12, 28), 4, 4);
  return QIcon(pixmap);
}

std::chrono::minutes MainWindow::IdleTimeoutSetting() {
  return std::chrono::minutes(QSettings().value(kIdleKey, kDefaultIdleMinutes).toInt());
}

bool MainWindow::NotificationDetailsSetting() {
  return QSettings().value(kDetailsKey, false).toBool();
}

MainWindow::MainWindow(AppOptions options, QWidget* parent)
    : QMainWindow(parent),
      options_(std::move(options)),
      idle_(IdleTimeoutSetting(), options_.clock, this) {
  setWindowTitle(tr("Attune"));
  setWindowIcon(AppIcon());
  opener_.set_clock(options_.wall_clock);
  stack_ = new QStackedWidget(this);
  setCentralWidget(stack_);
  first_run_ = new FirstRunPage(options_.profile_dir, stack_);
  unlock_ = new UnlockPage(options_.profile_dir, stack_);
  stack_->addWidget(first_run_);
  stack_->addWidget(unlock_);
  connect(first_run_, &FirstRunPage::createRequested, this, &MainWindow::OnCreate);
  connect(unlock_, &UnlockPage::unlockRequested, this, &MainWindow::OnUnlock);
  connect(&idle_, &IdleLock::idle, this, &MainWindow::Lock);
  qApp->installEventFilter(&idle_);

  if (QSystemTrayIcon::isSystemTrayAvailable()) {
    tray_ = new QSystemTrayIcon(AppIcon(), this);
    tray_->setToolTip(tr("Attune"));
    tray_->show();
  }
  BuildMenus();
  outside_timer_.setInterval(std::chrono::seconds(2));
  connect(&outside_timer_, &QTimer::timeout, this, &MainWindow::CheckOutsideChanges);
  const bool exists = client::store::Profile::Exists(options_.profile_dir.toStdString());
  stack_->setCurrentWidget(exists ? static_cast<QWidget*>(unlock_) : first_run_);
  stack_->currentWidget()->setFocus();
  UpdateActions();
  resize(960, 640);
}

MainWindow::~MainWindow() {
  qApp->removeEventFilter(&idle_);
  runner_.reset();  // before the pages that hold a reference to it
}

void MainWindow::BuildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&Attune"));
  lock_action_ =
      file->addAction(tr("&Lock"), QKeySequence(Qt::CTRL | Qt::Key_L), this, &MainWindow::Lock);
  file->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::OpenSettings);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

  therapist_menu_ = menuBar()->addMenu(tr("&Clients"));
  therapist_menu_->addAction(tr("&Invite a client…"), QKeySequence(Qt::CTRL | Qt::Key_I), this,
                             [this] {
                               if (therapist_ != nullptr) therapist_->OpenInvite();
                             });
  therapist_menu_->addAction(tr("&Verify safety number…"), QKeySequence(Qt::CTRL | Qt::Key_Y), this,
                             [this] {
                               if (therapist_ != nullptr) therapist_->OpenVerify();
                             });
  therapist_menu_->addAction(tr("Check-&ins…"), QKeySequence(Qt::CTRL | Qt::Key_K), this, [this] {
    if (therapist_ != nullptr) therapist_->OpenCheckIns();
  });
  therapist_menu_->addAction(tr("&Practice settings…"), QKeySequence(Qt::CTRL | Qt::Key_P), this,
                             [this] {
                               if (therapist_ != nullptr) therapist_->OpenPracticeSettings();
                             });

  client_menu_ = menuBar()->addMenu(tr("&Therapist"));
  client_menu_->addAction(tr("&Check in…"), QKeySequence(Qt::CTRL | Qt::Key_K), this, [this] {
    if (client_ != nullptr) client_->OpenCheckIn();
  });
  client_menu_->addAction(tr("I &need help now"), QKeySequence(Qt::CTRL | Qt::Key_H), this, [this] {
    if (client_ != nullptr) client_->OpenHelpNow();
  });
  client_menu_->addAction(tr("&My check-ins…"), QKeySequence(Qt::CTRL | Qt::Key_M), this, [this] {
    if (client_ != nullptr) client_->OpenOwnHistory();
  });
  client_menu_->addAction(tr("&Verify safety number…"), QKeySequence(Qt::CTRL | Qt::Key_Y), this,
                          [this] {
                            if (client_ != nullptr) client_->OpenVerify();
                          });
}

void MainWindow::UpdateActions() {
  therapist_menu_->menuAction()->setVisible(therapist_ != nullptr);
  // The therapist's tools mean nothing before pairing.
  const bool paired_client = client_ != nullptr && client_->paired();
  client_menu_->menuAction()->setVisible(paired_client);
  // Hidden menus' shortcuts must not fire either.
  therapist_menu_->setEnabled(therapist_ != nullptr);
  client_menu_->setEnabled(paired_client);
  lock_action_->setEnabled(runner_ != nullptr);
}

void MainWindow::OnCreate(const std::shared_ptr<CreateRequest>& request) {
  first_run_->SetBusy(true);
  opener_.Create(options_.profile_dir.toStdString(), std::move(request->passphrase),
                 options_.strength, request->account, std::move(request->relay),
                 [this](Result<std::unique_ptr<client::Engine>> engine) {
                   first_run_->SetBusy(false);
                   if (!engine.ok()) {
                     first_run_->ShowError(tools::ErrorSentence(engine.error()));
                     return;
                   }
                   first_run_->passphrase()->clear();
                   first_run_->confirmation()->clear();
                   first_run_->enrollment()->clear();
                   Enter(std::move(engine).value());
                 });
}

void MainWindow::OnUnlock(const std::shared_ptr<crypto::SecretBytes>& passphrase) {
  unlock_->SetBusy(true);
  opener_.Open(options_.profile_dir.toStdString(), std::move(*passphrase),
               [this](Result<std::unique_ptr<client::Engine>> engine) {
                 unlock_->SetBusy(false);
                 if (!engine.ok()) {
                   // The one kAuthFailed of Engine::Open is a wrong passphrase.
                   unlock_->ShowError(
                       engine.error().code == ErrorCode::kAuthFailed
                           ? tr("That passphrase does not open this profile; nothing was changed.")
                           : tools::ErrorSentence(engine.error()));
                   unlock_->Reset();
                   return;
                 }
                 Enter(std::move(engine).value());
               });
}

void MainWindow::Enter(std::unique_ptr<client::Engine> engine) {
  runner_ = std::make_unique<EngineRunner>(std::move(engine));
  connect(runner_.get(), &EngineRunner::engineEvent, this, &MainWindow::OnEvent);
  if (runner_->account().role == client::Role::kTherapist) {
    therapist_ = new TherapistPage(*runner_, stack_);
    connect(therapist_, &TherapistPage::problem, this,
            [this](const QString& m) { statusBar()->showMessage(tools::AsSentence(m)); });
    stack_->addWidget(therapist_);
    stack_->setCurrentWidget(therapist_);
    therapist_->contact_list()->setFocus();
  } else {
    client_ = new ClientPage(*runner_, stack_);
    connect(client_, &ClientPage::pairedChanged, this, &MainWindow::UpdateActions);
    connect(client_, &ClientPage::problem, this,
            [this](const QString& m) { statusBar()->showMessage(tools::AsSentence(m)); });
    stack_->addWidget(client_);
    stack_->setCurrentWidget(client_);
    client_->setFocus();
  }
  setWindowTitle(tr("Attune — %1").arg(QString::fromStdString(runner_->account().display_name)));
  // Queued after the pages' first queries: the deferred page check (see
  // ProfileOpener::Open), then background sync, which never starts on a
  // damaged profile.
  const bool sync = options_.start_background_sync;
  runner_->Run(
      this,
      [sync](client::Engine& e) {
        Status checked = e.CheckIntegrity();
        if (checked.ok() && sync) (void)e.StartBackgroundSync();
        return checked;
      },
      [this](const Status& checked) {
        if (!checked.ok()) {
          statusBar()->showMessage(tr("This profile is damaged and is not synced: %1")
                                       .arg(QString::fromStdString(checked.error().message)));
        }
      });
  outside_mark_.reset();
  CheckOutsideChanges();  // the first answer is the baseline
  outside_timer_.start();
  idle_.set_timeout(IdleTimeoutSetting());
  idle_.Arm();
  UpdateActions();
  emit unlockedChanged(true);
}

void MainWindow::Lock() {
  if (runner_ == nullptr) return;
  idle_.Disarm();
  outside_timer_.stop();
  // Pages first (they hold references to the runner), then the runner: its
  // destructor stops sync and destroys the engine — the keys leave memory.
  for (QWidget* page : {static_cast<QWidget*>(therapist_), static_cast<QWidget*>(client_)}) {
    if (page == nullptr) continue;
    stack_->removeWidget(page);
    delete page;  // NOLINT(cppcoreguidelines-owning-memory): owned by the stack until removed
  }
  therapist_ = nullptr;
  client_ = nullptr;
  runner_.reset();
  setWindowTitle(tr("Attune"));
  statusBar()->clearMessage();
  stack_->setCurrentWidget(unlock_);
  unlock_->ShowError({});
  unlock_->Reset();
  UpdateActions();
  emit unlockedChanged(false);
}

void MainWindow::OnEvent(const client::Event& event) {
  if (const auto* c = std::get_if<client::ConnectionChanged>(&event)) {
    if (c->state == client::ConnectionState::kDisconnected) {
      statusBar()->showMessage(
          tr("Cannot reach the relay right now; messages wait and are sent when it is back."));
    } else if (c->state == client::ConnectionState::kConnected) {
      statusBar()->showMessage(tr("Connected."), 5000);
    }
    return;
  }
  if (const auto* e = std::get_if<client::EngineError>(&event)) {
    statusBar()->showMessage(tools::AsSentence(QString::fromStdString(e->message)));
    return;
  }
  auto text = NotificationFor(event, NotificationDetailsSetting());
  if (!text) return;
  emit notified(*text);
  if (tray_ != nullptr && !isActiveWindow()) {
    tray_->showMessage(text->title, text->body,
                       text->urgent ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
  }
}

void MainWindow::CheckOutsideChanges() {
  if (runner_ == nullptr) return;
  runner_->Run(
      this, [](client::Engine& e) { return e.OutsideChangeMark(); },
      [this](const Result<int64_t>& mark) {
        if (!mark.ok()) return;  // a read error shows on the next real query
        const bool changed = outside_mark_.has_value() && *outside_mark_ != *mark;
        outside_mark_ = *mark;
        if (!changed) return;
        if (therapist_ != nullptr) therapist_->Reload();
        if (client_ != nullptr) client_->Reload();
      });
}

void MainWindow::OpenSettings() {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Attune settings"));
  auto* idle = new QSpinBox(&dialog);
  idle->setRange(1, 240);
  idle->setSuffix(tr(" min"));
  idle->setValue(static_cast<int>(IdleTimeoutSetting().count()));
  idle->setAccessibleName(tr("Lock after idle minutes"));
  auto* details =
      new QCheckBox(tr("Show the sender's name and the text in notifications"), &dialog);
  details->setChecked(NotificationDetailsSetting());
  details->setAccessibleName(tr("Show details in notifications"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  auto* form = new QFormLayout(&dialog);
  form->addRow(tr("&Lock after no input for:"), idle);
  form->addRow(details);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  QSettings settings;
  settings.setValue(kIdleKey, idle->value());
  settings.setValue(kDetailsKey, details->isChecked());
  idle_.set_timeout(std::chrono::minutes(idle->value()));
}

}  // namespace attune::desktop
