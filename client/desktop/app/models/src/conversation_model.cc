#include "attune/desktop/conversation_model.h"

#include <algorithm>
#include <iterator>
#include <type_traits>

#include "attune/client/content_view.h"

namespace attune::desktop {

QString StatusText(client::HistoryItem::Status status) {
  switch (status) {
    case client::HistoryItem::Status::kQueued:
      return QObject::tr("queued");
    case client::HistoryItem::Status::kSent:
      return QObject::tr("sent");
    case client::HistoryItem::Status::kDelivered:
      return QObject::tr("delivered");
    case client::HistoryItem::Status::kNone:
      break;
  }
  return {};
}

ConversationModel::ConversationModel(EngineRunner& runner, QObject* parent)
    : QAbstractListModel(parent), runner_(runner) {
  connect(&runner_, &EngineRunner::engineEvent, this, &ConversationModel::OnEvent);
}

int ConversationModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(items_.size());
}

const client::HistoryItem* ConversationModel::At(int row) const {
  if (row < 0 || static_cast<size_t>(row) >= items_.size()) return nullptr;
  return &items_[static_cast<size_t>(row)];
}

QVariant ConversationModel::data(const QModelIndex& index, int role) const {
  const client::HistoryItem* item = At(index.row());
  if (item == nullptr || index.parent().isValid()) return {};
  switch (role) {
    case Qt::DisplayRole:
      return QString::fromStdString(item->summary);
    case Qt::AccessibleTextRole: {
      const QString who = item->outgoing ? tr("You") : contact_;
      const QString when = QDateTime::fromSecsSinceEpoch(item->created_at).toString(Qt::TextDate);
      QString text = tr("%1, %2: %3").arg(who, when, QString::fromStdString(item->summary));
      if (item->outgoing) text += QStringLiteral(" (") + StatusText(item->status) + ')';
      return text;
    }
    case kOutgoingRole:
      return item->outgoing;
    case kTimeRole:
      return QDateTime::fromSecsSinceEpoch(item->created_at);
    case kStatusRole:
      return static_cast<int>(item->status);
    case kKindRole:
      return static_cast<int>(item->kind);
    case kStatusTextRole:
      return StatusText(item->status);
    default:
      return {};
  }
}

void ConversationModel::SetContact(const QString& contact, int64_t contact_id) {
  contact_ = contact;
  contact_id_ = contact_id;
  const uint64_t generation = ++generation_;
  SetItems({});
  if (contact.isEmpty()) return;
  const std::string name = contact.toStdString();
  runner_.Run(
      this,
      [name](client::Engine& engine) {
        // Lines as written (the summary is the terminal's form), converted
        // here on the engine's thread, not per paint.
        auto history = engine.History(name);
        if (history.ok()) {
          for (client::HistoryItem& item : *history) {
            item.summary = client::WindowText(item.summary);
          }
        }
        return history;
      },
      [this, generation](Result<std::vector<client::HistoryItem>> result) {
        if (generation != generation_) return;  // another contact was chosen meanwhile
        if (!result.ok()) {
          emit failed(QString::fromStdString(result.error().message));
          return;
        }
        SetItems(std::move(result).value());
        emit loaded();
      });
}

void ConversationModel::SetItems(std::vector<client::HistoryItem> items) {
  beginResetModel();
  items_ = std::move(items);
  endResetModel();
}

void ConversationModel::AppendOwn(const client::SendResult& sent, const QString& summary,
                                  int64_t created_at) {
  client::HistoryItem item;
  item.message_id = sent.message_id;
  item.outgoing = true;
  item.created_at = created_at;
  item.kind = client::MessageKind::kText;
  item.summary = summary.toStdString();
  item.status =
      sent.uploaded ? client::HistoryItem::Status::kSent : client::HistoryItem::Status::kQueued;
  const int row = rowCount();
  beginInsertRows({}, row, row);
  items_.push_back(std::move(item));
  endInsertRows();
}

void ConversationModel::OnEvent(const client::Event& event) {
  if (contact_id_ == 0) return;
  if (const auto* m = std::get_if<client::MessageReceived>(&event)) {
    if (m->contact_id != contact_id_) return;
    client::HistoryItem item;
    item.message_id = m->message_id;
    item.outgoing = false;
    item.created_at = m->received_at;
    item.kind = m->kind;
    item.summary = client::WindowText(m->summary);
    const int row = rowCount();
    beginInsertRows({}, row, row);
    items_.push_back(std::move(item));
    endInsertRows();
  } else if (const auto* d = std::get_if<client::MessagesDelivered>(&event)) {
    if (d->contact_id != contact_id_) return;
    for (int64_t id : d->message_ids) {
      // Receipts are for recent messages: search from the newest row.
      auto rit = std::find_if(
          items_.rbegin(), items_.rend(),
          [id](const client::HistoryItem& item) { return item.outgoing && item.message_id == id; });
      if (rit == items_.rend()) continue;
      auto it = std::prev(rit.base());
      it->status = client::HistoryItem::Status::kDelivered;
      const QModelIndex changed = index(static_cast<int>(it - items_.begin()));
      emit dataChanged(changed, changed, {kStatusRole, kStatusTextRole, Qt::AccessibleTextRole});
    }
  }
}

}  // namespace attune::desktop
