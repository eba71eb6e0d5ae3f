// The therapist's (and client's) contact list as a Qt model, fed by the
// engine: rows in the engine's attention order (Engine::ContactsByAttention:
// urgent check-ins first, then unread), refreshed when an engine event may
// have changed a count. No widget code; tested without widgets.
//
// Threads: GUI thread only. Reloads run on the EngineRunner's worker; bursts
// of events coalesce into one reload in flight plus at most one queued.
#pragma once

#include <QAbstractListModel>
#include <QString>
#include <vector>

#include "attune/client/engine.h"
#include "attune/desktop/engine_runner.h"

namespace attune::desktop {

class ContactListModel : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Roles {
    kNameRole = Qt::UserRole + 1,  // QString: local name (engine calls take it)
    kDisplayNameRole,              // QString: what they call themselves
    kUnreadRole,                   // int
    kUrgentRole,                   // int: urgent check-ins not yet acknowledged
    kVerifiedRole,                 // bool
    kSendBlockedRole,              // bool
  };

  explicit ContactListModel(EngineRunner& runner, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Asks the engine again (also after each relevant engine event).
  void Reload();
  // The contact at `row`, or nullptr.
  const client::ContactView* At(int row) const;
  // Row of the contact with this local name, or -1.
  int RowOf(const QString& name) const;

 signals:
  // A reload's answer was applied (tests wait on it; views restore selection).
  void reloaded();
  // The engine could not list contacts: one sentence for the window.
  void failed(const QString& message);

 private:
  void OnEvent(const client::Event& event);
  void Apply(std::vector<client::ContactView> contacts);

  EngineRunner& runner_;
  std::vector<client::ContactView> contacts_{};
  bool in_flight_ = false;
  bool again_ = false;
};

// "Sam" / "Sam — 2 new" / "URGENT · Sam — check-in needs attention": what a
// row says, also its accessible text (screen readers read the same words).
QString ContactRowText(const client::ContactView& contact);

}  // namespace attune::desktop
