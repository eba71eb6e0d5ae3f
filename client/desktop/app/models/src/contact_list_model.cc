#include "attune/desktop/contact_list_model.h"

#include <QFont>
#include <type_traits>

namespace attune::desktop {

QString ContactRowText(const client::ContactView& c) {
  QString text = QString::fromStdString(c.name);
  if (c.urgent_unacknowledged > 0) {
    text = QObject::tr("URGENT · %1 — check-in needs attention").arg(text);
  } else if (c.unread > 0) {
    text = QObject::tr("%1 — %n new", nullptr, static_cast<int>(c.unread)).arg(text);
  }
  if (c.send_block != client::SendBlock::kNone) text += QObject::tr(" (sending blocked)");
  return text;
}

ContactListModel::ContactListModel(EngineRunner& runner, QObject* parent)
    : QAbstractListModel(parent), runner_(runner) {
  connect(&runner_, &EngineRunner::engineEvent, this, &ContactListModel::OnEvent);
}

int ContactListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(contacts_.size());
}

QVariant ContactListModel::data(const QModelIndex& index, int role) const {
  const client::ContactView* c = At(index.row());
  if (c == nullptr || index.parent().isValid()) return {};
  switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
      return ContactRowText(*c);
    case Qt::FontRole:
      if (c->unread > 0 || c->urgent_unacknowledged > 0) {
        QFont bold;
        bold.setBold(true);
        return bold;
      }
      return {};
    case kNameRole:
      return QString::fromStdString(c->name);
    case kDisplayNameRole:
      return QString::fromStdString(c->display_name);
    case kUnreadRole:
      return static_cast<int>(c->unread);
    case kUrgentRole:
      return static_cast<int>(c->urgent_unacknowledged);
    case kVerifiedRole:
      return c->verified;
    case kSendBlockedRole:
      return c->send_block != client::SendBlock::kNone;
    default:
      return {};
  }
}

QHash<int, QByteArray> ContactListModel::roleNames() const {
  return {{Qt::DisplayRole, "display"},      {kNameRole, "name"},
          {kDisplayNameRole, "displayName"}, {kUnreadRole, "unread"},
          {kUrgentRole, "urgent"},           {kVerifiedRole, "verified"},
          {kSendBlockedRole, "sendBlocked"}};
}

const client::ContactView* ContactListModel::At(int row) const {
  if (row < 0 || static_cast<size_t>(row) >= contacts_.size()) return nullptr;
  return &contacts_[static_cast<size_t>(row)];
}

int ContactListModel::RowOf(const QString& name) const {
  const std::string wanted = name.toStdString();
  for (size_t i = 0; i < contacts_.size(); ++i) {
    if (contacts_[i].name == wanted) return static_cast<int>(i);
  }
  return -1;
}

void ContactListModel::Reload() {
  if (in_flight_) {
    again_ = true;
    return;
  }
  in_flight_ = true;
  runner_.Run(
      this, [](client::Engine& engine) { return engine.ContactsByAttention(); },
      [this](Result<std::vector<client::ContactView>> result) {
        in_flight_ = false;
        if (result.ok()) {
          Apply(std::move(result).value());
        } else {
          emit failed(QString::fromStdString(result.error().message));
        }
        if (again_) {
          again_ = false;
          Reload();
        }
      });
}

void ContactListModel::OnEvent(const client::Event& event) {
  // Connection changes and errors do not change the list or its counts.
  const bool relevant = std::holds_alternative<client::MessageReceived>(event) ||
                        std::holds_alternative<client::CheckInReceived>(event) ||
                        std::holds_alternative<client::ContactChanged>(event);
  if (relevant) Reload();
}

void ContactListModel::Apply(std::vector<client::ContactView> contacts) {
  bool same_rows = contacts.size() == contacts_.size();
  for (size_t i = 0; same_rows && i < contacts.size(); ++i) {
    same_rows = contacts[i].id == contacts_[i].id;
  }
  if (same_rows) {
    // Same people in the same order: repaint in place (keeps selection).
    contacts_ = std::move(contacts);
    if (!contacts_.empty()) emit dataChanged(index(0), index(rowCount() - 1));
  } else {
    beginResetModel();
    contacts_ = std::move(contacts);
    endResetModel();
  }
  emit reloaded();
}

}  // namespace attune::desktop
