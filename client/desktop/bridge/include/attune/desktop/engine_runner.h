// EngineRunner: how the desktop app talks to the client engine without ever
// blocking its GUI thread. Engine calls that reach the relay, derive a key or
// sync the disk block for a while (engine.h); the runner runs them on one
// worker thread, in the order they were asked for, and hands each result back
// on the GUI thread through a queued call. Engine events (events.h) arrive
// the same way, as the `engineEvent` signal.
//
// The runner holds the only long-lived reference to the engine. Destroying
// the runner (locking the profile) stops background sync, lets the call in
// progress finish, drops the queued ones and destroys the engine on the
// worker thread — so the keys leave memory before the destructor returns.
#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>
#include <functional>
#include <memory>
#include <utility>

#include "attune/client/engine.h"

namespace attune::desktop {

class EngineRunner : public QObject {
  Q_OBJECT

 public:
  // Takes the engine; subscribes to its events. Call from the GUI thread.
  explicit EngineRunner(std::unique_ptr<client::Engine> engine, QObject* parent = nullptr);
  ~EngineRunner() override;
  EngineRunner(const EngineRunner&) = delete;
  EngineRunner& operator=(const EngineRunner&) = delete;

  // Runs `work(engine)` on the worker thread, then `done(result)` on the
  // GUI thread — unless `context` was destroyed meanwhile (a closed dialog),
  // then the result is dropped. `work` must not touch widgets.
  template <typename Work, typename Done>
  void Run(QObject* context, Work work, Done done) {
    QPointer<QObject> guard(context);
    Post([this, guard, work = std::move(work), done = std::move(done)](client::Engine& engine) {
      auto result = std::make_shared<decltype(work(engine))>(work(engine));
      QMetaObject::invokeMethod(
          this,
          [guard, done, result]() {
            if (guard) done(std::move(*result));
          },
          Qt::QueuedConnection);
    });
  }

  // Runs `work(engine)` on the worker thread; no result.
  void Post(std::function<void(client::Engine&)> work);

  // Blocks the calling thread until every call posted so far has run (tests,
  // and the lock path; never on the GUI thread during normal use).
  void WaitForIdle();

  // Read-only facts that never change while the profile is unlocked.
  const client::AccountInfo& account() const { return account_; }

 signals:
  // One engine event, on the GUI thread, in the order the engine reported them.
  void engineEvent(const attune::client::Event& event);

 private:
  class Worker;
  class Observer;

  client::AccountInfo account_{};
  QThread thread_{};
  Worker* worker_ = nullptr;  // lives on thread_, deleted there
  std::shared_ptr<Observer> observer_{};
  uint64_t observer_id_ = 0;
};

}  // namespace attune::desktop
