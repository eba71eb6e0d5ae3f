// attune-desktop's one window. It walks the person through the profile's
// life: first run (no profile) or unlock, then the therapist's or client's
// main screen on an EngineRunner with background sync, and back to the
// unlock screen on *Lock* or after the idle timeout — the runner (and with
// it the engine and its keys) is destroyed first.
//
// Notifications (system tray) carry no name and no content unless the
// person opted in (Settings). Settings live in QSettings; the idle timeout
// and clock are injectable for tests.
#pragma once

#include <QMainWindow>
#include <QStackedWidget>
#include <QSystemTrayIcon>
#include <QTimer>
#include <chrono>
#include <memory>
#include <optional>

#include "attune/client/store/key_params.h"
#include "attune/desktop/client_page.h"
#include "attune/desktop/engine_runner.h"
#include "attune/desktop/first_run_page.h"
#include "attune/desktop/idle_lock.h"
#include "attune/desktop/notification_text.h"
#include "attune/desktop/profile_opener.h"
#include "attune/desktop/therapist_page.h"
#include "attune/desktop/unlock_page.h"

namespace attune::desktop {

struct AppOptions {
  QString profile_dir{};
  client::store::KdfStrength strength = client::store::KdfStrength::kModerate;
  IdleLock::Clock clock = [] { return std::chrono::steady_clock::now(); };
  // The engine's wall clock (unix seconds): check-in times, due reminders.
  client::Clock wall_clock = client::SystemNow;
  bool start_background_sync = true;
};

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(AppOptions options, QWidget* parent = nullptr);
  ~MainWindow() override;
  MainWindow(const MainWindow&) = delete;
  MainWindow& operator=(const MainWindow&) = delete;

  FirstRunPage* first_run_page() { return first_run_; }
  UnlockPage* unlock_page() { return unlock_; }
  TherapistPage* therapist_page() { return therapist_; }  // nullptr unless unlocked as therapist
  ClientPage* client_page() { return client_; }           // nullptr unless unlocked as client
  EngineRunner* runner() { return runner_.get(); }        // nullptr while locked
  IdleLock& idle_lock() { return idle_; }
  QWidget* current_page() { return stack_->currentWidget(); }
  bool unlocked() const { return runner_ != nullptr; }

  // Idle timeout and notification detail (persisted in QSettings).
  static std::chrono::minutes IdleTimeoutSetting();
  static bool NotificationDetailsSetting();

 public slots:
  void Lock();
  void OpenSettings();
  // Asks the engine whether another instance (a second window, the CLI)
  // changed the profile, and if so reloads what is shown. A timer calls
  // it every few seconds while unlocked; tests call it directly.
  void CheckOutsideChanges();

 signals:
  void unlockedChanged(bool unlocked);
  // Each notification the window raised (also shown in the tray when there is one).
  void notified(const attune::desktop::NotificationText& text);

 private:
  void BuildMenus();
  void OnCreate(const std::shared_ptr<CreateRequest>& request);
  void OnUnlock(const std::shared_ptr<crypto::SecretBytes>& passphrase);
  void Enter(std::unique_ptr<client::Engine> engine);
  void OnEvent(const client::Event& event);
  void UpdateActions();

  AppOptions options_{};
  QStackedWidget* stack_ = nullptr;
  FirstRunPage* first_run_ = nullptr;
  UnlockPage* unlock_ = nullptr;
  TherapistPage* therapist_ = nullptr;
  ClientPage* client_ = nullptr;
  ProfileOpener opener_{};
  std::unique_ptr<EngineRunner> runner_{};
  IdleLock idle_;
  QSystemTrayIcon* tray_ = nullptr;
  QMenu* therapist_menu_ = nullptr;
  QMenu* client_menu_ = nullptr;
  QAction* lock_action_ = nullptr;
  QTimer outside_timer_{};
  std::optional<int64_t> outside_mark_{};  // the engine's OutsideChangeMark last seen
};

// The window and tray icon, drawn (no image plugin needed).
QIcon AppIcon();

}  // namespace attune::desktop
