// Keeps the store's message index (store/message_index.h) filled: what a
// list shows about each message — kind, whether a person reads it, urgent
// and acknowledged, its content id, a one-line summary, delivered — derived
// once from the stored content instead of on every Inbox/Contacts/History.
// Internal to the engine (engine.h), which holds its lock around every call.
#pragma once

#include <cstdint>
#include <vector>

#include "attune/base/result.h"
#include "attune/client/events.h"
#include "attune/client/store/sqlite.h"

namespace attune::client {

// The codes stored in messages.kind. Stored on disk: never renumber.
int64_t StoredKind(MessageKind kind);
MessageKind KindFromStored(int64_t code);

// A delivery receipt that was indexed: our rows it confirmed.
struct DeliveredRows {
  int64_t contact_id = 0;
  std::vector<int64_t> message_ids{};
};

// Indexes every message not indexed yet (after a receive or a send, and
// once for rows a version-1 profile holds), oldest first, in relaxed
// transactions (the index is derived data). A receipt marks the rows it
// names delivered; those are returned.
Result<std::vector<DeliveredRows>> IndexNewMessages(store::Database& db);

}  // namespace attune::client
