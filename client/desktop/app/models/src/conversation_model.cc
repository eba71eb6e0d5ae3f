#include "attune/desktop/conversation_model.h"

#include <QLocale>
#include <algorithm>
#include <iterator>
#include <type_traits>

#include "attune/client/content_view.h"
#include "attune/client/therapy/check_in_card.h"

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
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

const client::HistoryItem* ConversationModel::At(int row) const {
  if (row < 0 || static_cast<size_t>(row) >= rows_.size()) return nullptr;
  return &rows_[static_cast<size_t>(row)].item;
}

ConversationModel::Row ConversationModel::MakeRow(client::HistoryItem item) {
  Row row;
  row.text = QString::fromStdString(item.check_in ? therapy::CheckInCardText(*item.check_in)
                                                  : item.summary);
  row.item = std::move(item);
  return row;
}

QVariant ConversationModel::data(const QModelIndex& index, int role) const {
  if (index.row() < 0 || static_cast<size_t>(index.row()) >= rows_.size() ||
      index.parent().isValid()) {
    return {};
  }
  const Row& row = rows_[static_cast<size_t>(index.row())];
  const client::HistoryItem* item = &row.item;
  switch (role) {
    case Qt::DisplayRole:
      return row.text;
    case Qt::AccessibleTextRole: {
      const QString who = item->outgoing ? tr("You") : contact_;
      const QString when = QDateTime::fromSecsSinceEpoch(item->created_at).toString(Qt::TextDate);
      QString text = tr("%1, %2: %3").arg(who, when, row.text);
      if (item->outgoing) text += QStringLiteral(" (") + StatusText(item->status) + ')';
      return text;
    }
    case kMetaTextRole:
      if (row.meta.isEmpty()) {
        row.meta = QLocale().toString(QDateTime::fromSecsSinceEpoch(item->created_at),
                                      QLocale::ShortFormat);
        const QString status = item->outgoing ? StatusText(item->status) : QString();
        if (!status.isEmpty()) row.meta += QStringLiteral(" · ") + status;
      }
      return row.meta;
    case kCheckInRole:
      return item->check_in.has_value();
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
  ++generation_;
  more_ = false;
  loading_earlier_ = false;
  SetItems({});
  if (contact.isEmpty()) return;
  LoadPage(0);
}

void ConversationModel::LoadEarlier() {
  if (!more_ || loading_earlier_ || rows_.empty()) return;
  loading_earlier_ = true;
  LoadPage(rows_.front().item.message_id);
}

void ConversationModel::LoadPage(int64_t before_message_id) {
  const uint64_t generation = generation_;
  const std::string name = contact_.toStdString();
  const size_t limit = page_rows_;
  struct Page {
    Result<bool> more = false;  // the page's error, or whether older rows remain
    std::vector<Row> rows{};
  };
  runner_.Run(
      this,
      [name, before_message_id, limit](client::Engine& engine) {
        Page out;
        auto page = engine.HistoryBefore(name, before_message_id, limit);
        if (!page.ok()) {
          out.more = page.error();
          return out;
        }
        out.more = page->more;
        // Lines as written (the summary is the terminal's form) and as Qt
        // strings, converted here on the engine's thread, not per paint.
        out.rows.reserve(page->items.size());
        for (client::HistoryItem& item : page->items) {
          item.summary = client::WindowText(item.summary);
          out.rows.push_back(MakeRow(std::move(item)));
        }
        return out;
      },
      [this, generation, before_message_id](Page page) {
        if (generation != generation_) return;  // another contact was chosen meanwhile
        if (!page.more.ok()) {
          loading_earlier_ = false;
          emit failed(QString::fromStdString(page.more.error().message));
          return;
        }
        more_ = *page.more;
        if (before_message_id == 0) {
          beginResetModel();
          rows_ = std::move(page.rows);
          endResetModel();
          emit loaded();
          return;
        }
        loading_earlier_ = false;
        const int count = static_cast<int>(page.rows.size());
        if (count > 0) {
          beginInsertRows({}, 0, count - 1);
          rows_.insert(rows_.begin(), std::make_move_iterator(page.rows.begin()),
                       std::make_move_iterator(page.rows.end()));
          endInsertRows();
        }
        emit earlierLoaded(count);
      });
}

void ConversationModel::SetItems(std::vector<client::HistoryItem> items) {
  std::vector<Row> rows;
  rows.reserve(items.size());
  for (client::HistoryItem& item : items) rows.push_back(MakeRow(std::move(item)));
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

void ConversationModel::Append(client::HistoryItem item) {
  const int row = rowCount();
  beginInsertRows({}, row, row);
  rows_.push_back(MakeRow(std::move(item)));
  endInsertRows();
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
  Append(std::move(item));
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
    item.check_in = m->check_in;
    Append(std::move(item));
  } else if (const auto* d = std::get_if<client::MessagesDelivered>(&event)) {
    if (d->contact_id != contact_id_) return;
    for (int64_t id : d->message_ids) {
      // Receipts are for recent messages: search from the newest row.
      auto rit = std::find_if(rows_.rbegin(), rows_.rend(), [id](const Row& row) {
        return row.item.outgoing && row.item.message_id == id;
      });
      if (rit == rows_.rend()) continue;
      auto it = std::prev(rit.base());
      it->item.status = client::HistoryItem::Status::kDelivered;
      it->meta.clear();
      const QModelIndex changed = index(static_cast<int>(it - rows_.begin()));
      emit dataChanged(changed, changed,
                       {kStatusRole, kStatusTextRole, kMetaTextRole, Qt::AccessibleTextRole});
    }
  }
}

}  // namespace attune::desktop
