#include "attune/desktop/engine_runner.h"

#include <QMetaObject>
#include <QMutex>
#include <QWaitCondition>

namespace attune::desktop {

// Owns the engine and runs posted work; lives on the runner's worker thread.
class EngineRunner::Worker : public QObject {
 public:
  explicit Worker(std::unique_ptr<client::Engine> engine) : engine_(std::move(engine)) {}
  ~Worker() override = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  client::Engine& engine() { return *engine_; }
  void DropEngine() { engine_.reset(); }

 private:
  std::unique_ptr<client::Engine> engine_{};
};

// Forwards engine events (any engine thread) to the runner's thread.
class EngineRunner::Observer : public client::EngineObserver {
 public:
  explicit Observer(EngineRunner* runner) : runner_(runner) {}
  void OnEvent(const client::Event& event) override {
    QPointer<EngineRunner> runner = runner_;
    QMetaObject::invokeMethod(
        runner_,
        [runner, event]() {
          if (runner) emit runner->engineEvent(event);
        },
        Qt::QueuedConnection);
  }

 private:
  EngineRunner* runner_ = nullptr;
};

EngineRunner::EngineRunner(std::unique_ptr<client::Engine> engine, QObject* parent)
    : QObject(parent), account_(engine->account()) {
  observer_ = std::make_shared<Observer>(this);
  observer_id_ = engine->Subscribe(observer_);
  worker_ =
      new Worker(std::move(engine));  // NOLINT(cppcoreguidelines-owning-memory): deleted on thread_
  worker_->moveToThread(&thread_);
  thread_.setObjectName(QStringLiteral("attune-engine"));
  thread_.start();
}

EngineRunner::~EngineRunner() {
  Worker* worker = worker_;
  const uint64_t id = observer_id_;
  // Runs after everything posted so far, and waits for it: stop background
  // sync, stop events, then destroy the engine (and its keys) on the worker
  // thread. Blocking, because quit() would end the worker's event loop
  // before a merely queued call ran, leaving the engine and its keys alive.
  QMetaObject::invokeMethod(
      worker,
      [worker, id]() {
        worker->engine().StopBackgroundSync();
        worker->engine().Unsubscribe(id);
        worker->DropEngine();
        delete worker;  // NOLINT(cppcoreguidelines-owning-memory)
      },
      Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
}

void EngineRunner::Post(std::function<void(client::Engine&)> work) {
  Worker* worker = worker_;
  QMetaObject::invokeMethod(
      worker, [worker, work = std::move(work)]() { work(worker->engine()); }, Qt::QueuedConnection);
}

void EngineRunner::WaitForIdle() {
  QMutex mutex;
  QWaitCondition done;
  bool finished = false;
  Worker* worker = worker_;
  QMetaObject::invokeMethod(
      worker,
      [&]() {
        QMutexLocker lock(&mutex);
        finished = true;
        done.wakeAll();
      },
      Qt::QueuedConnection);
  QMutexLocker lock(&mutex);
  while (!finished) done.wait(&mutex);
}

}  // namespace attune::desktop
