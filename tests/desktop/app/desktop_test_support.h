// Shared by the desktop app's tests: a real relay, profiles made through the
// engine (tests/integration/engine_support.h), and a bounded wait that keeps
// the Qt event loop running (never a fixed sleep).
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <chrono>

namespace attune::desktop::testing {

inline constexpr int kWaitMs = 15000;

// Processes events until `done()` or kWaitMs passed; returns done().
template <typename Pred>
bool SpinUntil(Pred done, int timeout_ms = kWaitMs) {
  QElapsedTimer timer;
  timer.start();
  while (!done() && timer.elapsed() < timeout_ms) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QCoreApplication::sendPostedEvents();
  }
  return done();
}

// A clock the test moves by hand (IdleLock).
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} +
                                            std::chrono::hours(1)};
  auto fn() {
    return [this] { return now; };
  }
};

}  // namespace attune::desktop::testing
