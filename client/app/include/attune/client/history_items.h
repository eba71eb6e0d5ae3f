// Conversation rows as front ends show them (engine.h's HistoryItem), made
// from the message index: the delivery status from one source of truth, and
// each check-in's card (check_in_card.h) from its content — one query for a
// whole page, not one per row. Internal to the engine (History,
// HistoryBefore); the caller holds the engine's lock.
#pragma once

#include <cstdint>
#include <vector>

#include "attune/base/result.h"
#include "attune/client/engine.h"
#include "attune/client/store/message_index.h"
#include "attune/client/store/sqlite.h"

namespace attune::client {

// `rows` oldest first, all of one contact.
Result<std::vector<HistoryItem>> HistoryItemsOf(store::Database& db, int64_t contact_id,
                                                std::vector<store::ListedMessage> rows);

}  // namespace attune::client
