// Auto-lock: after `timeout` without user input (keys, mouse, wheel, touch
// anywhere in the application) emits `idle()` once; the window then destroys
// the EngineRunner (the keys leave memory) and shows the unlock screen.
//
// Install as an application event filter (QCoreApplication::installEventFilter).
// Time comes from `now` so tests advance a fake clock and call Check()
// instead of sleeping; a QTimer calls Check() every `tick` in real use.
#pragma once

#include <QObject>
#include <QTimer>
#include <chrono>
#include <functional>

namespace attune::desktop {

class IdleLock : public QObject {
  Q_OBJECT

 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  IdleLock(std::chrono::milliseconds timeout, Clock now, QObject* parent = nullptr);

  bool eventFilter(QObject* watched, QEvent* event) override;

  // Starts counting from now (after an unlock); Disarm stops it (locked).
  void Arm();
  void Disarm();
  bool armed() const { return armed_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  // Emits idle() (and disarms) when armed and idle for at least the timeout.
  void Check();

 signals:
  void idle();

 private:
  std::chrono::milliseconds timeout_{};
  Clock now_{};
  std::chrono::steady_clock::time_point last_input_{};
  bool armed_ = false;
  QTimer timer_{};
};

}  // namespace attune::desktop
