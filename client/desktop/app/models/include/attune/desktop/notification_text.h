// What a desktop notification says about an engine event. By default it
// carries no name and no content — a notification can be read over a
// shoulder or on a locked screen — unless the person opted in to details.
#pragma once

#include <QMetaType>
#include <QString>
#include <optional>

#include "attune/client/events.h"

namespace attune::desktop {

struct NotificationText {
  QString title{};
  QString body{};
  bool urgent = false;
};

// One per text or check-in (a check-in's MessageReceived twin is skipped);
// nullopt for events nobody is notified about (receipts, connection
// changes, errors, one's own actions).
std::optional<NotificationText> NotificationFor(const client::Event& event, bool with_details);

}  // namespace attune::desktop

Q_DECLARE_METATYPE(attune::desktop::NotificationText)
