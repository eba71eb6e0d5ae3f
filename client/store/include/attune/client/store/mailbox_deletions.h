// Mailboxes this device no longer uses, waiting to be deleted on their relay
// (docs/PROTOCOL.md (part client), "Pairing"): the known contact's old
// mailbox once a re-pairing is confirmed, a declined or expired re-pairing's
// mailbox. RetireMailbox forgets the mailbox here at once, in the caller's
// transaction (nothing is fetched from it again, so nothing that still
// arrives there is acknowledged), and keeps what the owner-signed delete
// request needs in mailbox_deletions until the relay has done it: a relay
// that cannot be reached is asked again on the next sync, whatever happens
// to this process meanwhile.
//
// Kept in its own table (created on first use, so older profiles need no
// migration).
#pragma once

#include <cstdint>
#include <vector>

#include "attune/base/result.h"
#include "attune/client/store/records.h"
#include "attune/client/store/sqlite.h"

namespace attune::client::store {

struct MailboxDeletion {
  ByteArray<32> mailbox_id{};
  crypto::SecretArray<32> owner_seed{};  // signs the delete request
  RelayRoute relay{};
};

// In the caller's transaction: queues the deletion of mailbox `row` on its
// relay, then deletes the row and the invitation that created it. No contact
// may still name it as its own mailbox. kNotFound when there is no such row.
Status RetireMailbox(Database& db, int64_t row, int64_t now);

// Oldest first.
Result<std::vector<MailboxDeletion>> ListMailboxDeletions(Database& db);

// True while `mailbox_id` waits here for its deletion on the relay.
Result<bool> IsMailboxRetired(Database& db, const ByteArray<32>& mailbox_id);

// The relay deleted it (or no longer knew it).
Status ForgetMailboxDeletion(Database& db, const ByteArray<32>& mailbox_id);

}  // namespace attune::client::store
