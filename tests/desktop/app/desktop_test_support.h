// Shared by the desktop app's tests: a real relay, profiles made through the
// engine (tests/integration/engine_support.h), and a bounded wait that keeps
// the Qt event loop running (never a fixed sleep).
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <chrono>

namespace attune::desktop::testing {

inline constexpr int kWaitMs = 15000;

// Processes events until `done()` or kWaitMs passed; returns done(). Sleeps
// in the event loop between events, as the app's own loop does: a busy loop
// here took a core from the engine's threads on a loaded machine and doubled
// what the benchmarks measured. The tick bounds the wait for predicates that
// no event announces (another process's output).
template <typename Pred>
bool SpinUntil(Pred done, int timeout_ms = kWaitMs) {
  QElapsedTimer timer;
  timer.start();
  QTimer tick;
  tick.start(5);
  while (!done() && timer.elapsed() < timeout_ms) {
    QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
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
