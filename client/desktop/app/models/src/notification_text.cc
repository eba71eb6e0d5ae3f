#include "attune/desktop/notification_text.h"

#include <QObject>

namespace attune::desktop {

std::optional<NotificationText> NotificationFor(const client::Event& event, bool with_details) {
  if (const auto* c = std::get_if<client::CheckInReceived>(&event)) {
    NotificationText n;
    n.urgent = c->urgent;
    n.title = c->urgent ? QObject::tr("Urgent check-in in Attune")
                        : QObject::tr("New check-in in Attune");
    if (with_details && c->urgent) {
      n.body = QObject::tr("%1: %2").arg(QString::fromStdString(c->contact_name),
                                         QString::fromStdString(c->risk));
    } else if (with_details) {
      n.body = QString::fromStdString(c->contact_name);
    }
    return n;
  }
  if (const auto* m = std::get_if<client::MessageReceived>(&event)) {
    // A check-in is also reported as CheckInReceived, which says more.
    if (m->kind == client::MessageKind::kCheckIn) return std::nullopt;
    NotificationText n;
    n.title = QObject::tr("New message in Attune");
    if (with_details) {
      n.body = QObject::tr("%1: %2").arg(QString::fromStdString(m->contact_name),
                                         QString::fromStdString(m->summary));
    }
    return n;
  }
  return std::nullopt;
}

}  // namespace attune::desktop
