// One conversation (texts and check-ins with one contact) as a Qt model:
// its newest page loaded from Engine::HistoryBefore (older pages as the
// person scrolls back: LoadEarlier), then kept current from engine events —
// a received message is appended from its MessageReceived event without
// re-reading the history, a delivery receipt flips the delivered marks.
// By design there are no read receipts, typing or presence to show.
// A check-in row carries the engine's card (HistoryItem::check_in), which
// the delegate draws; its DisplayRole is the card as text.
//
// Per-row cost stays flat for long conversations: each row's text is
// converted once when it arrives and its time line is formatted once, the
// first time it is shown; data() never asks the engine.
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
  // Opening a conversation shows this many of its newest rows.
  static constexpr size_t kPageRows = 200;

  enum Roles {
    kOutgoingRole = Qt::UserRole + 1,  // bool
    kTimeRole,                         // QDateTime (local)
    kStatusRole,                       // int: client::HistoryItem::Status
    kKindRole,                         // int: client::MessageKind
    kStatusTextRole,                   // QString: "", "queued", "sent", "delivered"
    kMetaTextRole,                     // QString: local time, and for ours " · delivered"
    kCheckInRole,                      // bool: the row is a check-in card (At()->check_in)
  };

  explicit ConversationModel(EngineRunner& runner, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

  // Shows the conversation with `contact` (local name, engine id); empty
  // name: none. Its newest page of rows arrives asynchronously (loaded()).
  void SetContact(const QString& contact, int64_t contact_id);
  // Older rows than those shown remain in the profile.
  bool HasEarlier() const { return more_; }
  // Prepends the page before the oldest row shown (earlierLoaded()); one
  // request at a time.
  void LoadEarlier();
  // Rows per page (opening a conversation lays out only these).
  void set_page_rows(size_t rows) { page_rows_ = rows; }
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
  // `count` older rows were inserted at the top.
  void earlierLoaded(int count);
  void failed(const QString& message);

 private:
  struct Row {
    client::HistoryItem item{};
    QString text{};          // DisplayRole, converted once
    mutable QString meta{};  // kMetaTextRole, formatted when first asked
  };
  static Row MakeRow(client::HistoryItem item);
  void LoadPage(int64_t before_message_id);
  void Append(client::HistoryItem item);
  void OnEvent(const client::Event& event);

  EngineRunner& runner_;
  QString contact_{};
  int64_t contact_id_ = 0;
  uint64_t generation_ = 0;  // drops the answer of an older SetContact
  std::vector<Row> rows_{};
  size_t page_rows_ = kPageRows;
  bool more_ = false;             // older rows than rows_.front() exist
  bool loading_earlier_ = false;  // a LoadEarlier is in flight
};

QString StatusText(client::HistoryItem::Status status);

}  // namespace attune::desktop
