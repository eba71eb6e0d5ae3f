// Re-pairings that wait for confirmation (docs/PROTOCOL.md (part client),
// "Pairing"): a new pairing under a name or identity that is already a
// contact creates a separate *pending* contact and replaces nothing. The old
// contact keeps its session, mailboxes and everything it sent (crisis
// resources included) until the user confirms the newcomer (`attune verify
// NAME --confirm`): ConfirmPending then moves the new session, mailbox and
// peer route onto the old contact in one transaction and retires the old
// contact's mailbox (mailbox_deletions.h). DiscardPending forgets the
// newcomer; ExpirePending (nobody confirmed in time) keeps what it sent,
// readable, and stops it for good. Both retire its mailbox.
//
// Kept in its own table (created on first use, so older profiles need no
// migration): pending_contacts(contact_id -> the contact it would replace).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "attune/base/result.h"
#include "attune/client/store/sqlite.h"

namespace attune::client::store {

// The send_block an expired re-pairing keeps (the engine's
// SendBlock::kDeclined).
inline constexpr std::string_view kDeclinedSendBlock = "declined";

// CREATE TABLE IF NOT EXISTS; every function below calls it.
Status EnsurePendingContacts(Database& db);

// Marks `pending_id` as the staged replacement of `replaces_id`. A contact
// has at most one pending replacement: an earlier one is discarded first.
Status MarkPending(Database& db, int64_t pending_id, int64_t replaces_id, int64_t now);

struct PendingLink {
  int64_t pending_id = 0;  // the staged newcomer
  int64_t replaces = 0;    // the known contact
};
// Every pending re-pairing, in one query (contact lists; the table holds at
// most one row per known contact).
Result<std::vector<PendingLink>> ListPending(Database& db);

// The contact `contact_id` would replace, if it is pending.
Result<std::optional<int64_t>> PendingReplaces(Database& db, int64_t contact_id);
// The pending contact that would replace `contact_id`, if any.
Result<std::optional<int64_t>> PendingReplacementOf(Database& db, int64_t contact_id);

// In the caller's transaction: the old contact takes the pending one's
// display name, identity key, peer route, own mailbox and session, becomes
// verified; the pending contact's messages and outbox rows move to it; the
// pending contact is deleted; the old contact's own mailbox is retired.
// Returns the old contact's id. kNotFound when `pending_id` is not pending.
Result<int64_t> ConfirmPending(Database& db, int64_t pending_id, int64_t now);

// In the caller's transaction: deletes the pending contact with its session,
// messages and outbox rows, and retires its mailbox. kNotFound when it is
// not pending.
Status DiscardPending(Database& db, int64_t pending_id, int64_t now);

// Pending contacts staged before `cutoff` (unix seconds), oldest id first.
Result<std::vector<int64_t>> PendingCreatedBefore(Database& db, int64_t cutoff);

// In the caller's transaction: the pending contact stops being pending
// without replacing anything. It keeps its name and the messages it sent
// (nothing it sent is silently lost), loses its session, outbox rows and
// mailbox (retired), and keeps send_block kDeclinedSendBlock for good.
// kNotFound when it is not pending.
Status ExpirePending(Database& db, int64_t pending_id, int64_t now);

}  // namespace attune::client::store
