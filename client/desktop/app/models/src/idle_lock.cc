#include "attune/desktop/idle_lock.h"

#include <QEvent>

namespace attune::desktop {

IdleLock::IdleLock(std::chrono::milliseconds timeout, Clock now, QObject* parent)
    : QObject(parent), timeout_(timeout), now_(std::move(now)) {
  timer_.setInterval(std::chrono::seconds(1));
  connect(&timer_, &QTimer::timeout, this, &IdleLock::Check);
}

bool IdleLock::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::KeyRelease:
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
    case QEvent::TouchUpdate:
      last_input_ = now_();
      break;
    default:
      break;
  }
  return QObject::eventFilter(watched, event);
}

void IdleLock::Arm() {
  armed_ = true;
  last_input_ = now_();
  timer_.start();
}

void IdleLock::Disarm() {
  armed_ = false;
  timer_.stop();
}

void IdleLock::Check() {
  if (!armed_ || timeout_.count() <= 0) return;
  if (now_() - last_input_ < timeout_) return;
  Disarm();
  emit idle();
}

}  // namespace attune::desktop
