// One conversation (texts and check-ins with one contact) as a Qt model:
// loaded once from Engine::History, then kept current from engine events —
// a received message is appended from its MessageReceived event without
// re-reading the history, a delivery receipt flips the delivered marks.
// By design there are no read receipts, typing or presence to show.
//
// Threads: GUI thread only; History runs on the EngineRunner's worker.
#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QString>
#include <vector>

#include "attune/client/engine.h"
#include "attune/desktop/engine_runner.h"

namespace attune::desktop {

class ConversationModel : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Roles {
    kOutgoingRole = Qt::UserRole + 1,  // bool
    kTimeRole,                         // QDateTime (local)
    kStatusRole,                       // int: client::HistoryItem::Status
    kKindRole,                         // int: client::MessageKind
    kStatusTextRole,                   // QString: "", "queued", "sent", "delivered"
  };

  explicit ConversationModel(EngineRunner& runner, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

  // Shows the conversation with `contact` (local name, engine id); empty
  // name: none. The rows arrive asynchronously (loaded()).
  void SetContact(const QString& contact, int64_t contact_id);
  // Reads the shown contact's history again (another instance changed it).
  void Reload() { SetContact(contact_, contact_id_); }
  const QString& contact() const { return contact_; }
  // Our own message, just handed to the engine (SendText's result).
  void AppendOwn(const client::SendResult& sent, const QString& summary, int64_t created_at);
  // Replaces every row (history loads; benchmarks and model tests).
  void SetItems(std::vector<client::HistoryItem> items);
  const client::HistoryItem* At(int row) const;

 signals:
  void loaded();
  void failed(const QString& message);

 private:
  void OnEvent(const client::Event& event);

  EngineRunner& runner_;
  QString contact_{};
  int64_t contact_id_ = 0;
  uint64_t generation_ = 0;  // drops the answer of an older SetContact
  std::vector<client::HistoryItem> items_{};
};

QString StatusText(client::HistoryItem::Status status);

}  // namespace attune::desktop
