// Crash-safe sending and receiving (docs/PROTOCOL.md (part client), "Message
// flow"; docs/security/client.md).
//
// Sending: Queue encrypts and commits the new ratchet state, the history row
// and the outbox row in ONE transaction; FlushOutbox then uploads and marks
// each row sent once the relay acknowledged it (durable there). A crash
// before the commit loses nothing that was ever encrypted; a crash after it
// re-uploads on the next flush, and the recipient drops the duplicate.
//
// Receiving: HandleDelivery decrypts and commits the new ratchet state, the
// message and the wire blob's hash in ONE transaction; only then does the
// caller ack to the relay. A redelivered blob is recognised by its hash (or
// by the ratchet as kDuplicate) and acked without being shown twice.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/client/context.h"
#include "attune/client/relay_pool.h"
#include "attune/client/store/records.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"

namespace attune::client {

// Encrypts serialised Content for `contact_name` and commits it to the
// outbox; returns the history row id. Errors (nothing stored):
//   kNotFound         no such contact
//   kIdentityChanged  the contact's identity key changed and has not been
//                     re-verified (`attune verify NAME --confirm`)
//   kInvalidArgument  sending to this contact is blocked (restored database;
//                     see docs/security/client.md) or the session cannot send
//   plus Session::Encrypt's errors.
Result<int64_t> QueueMessage(Context& ctx, std::string_view contact_name, ByteView content);

// QueueMessage in two steps, for a caller that already holds a transaction
// (a delivery receipt is committed with the message it acknowledges).
// PrepareMessage encrypts and writes nothing, so its errors (QueueMessage's)
// leave the transaction untouched; WritePreparedMessage stores the history
// row, the outbox row and the new session, and bumps the profile generation
// unless *generation is already non-zero (one bump per transaction). Its
// errors are store failures: roll the transaction back.
struct PreparedMessage {
  int64_t contact_id = 0;
  Bytes content{};
  Bytes wire{};
  crypto::SecretBytes new_state{};
};
Result<PreparedMessage> PrepareMessage(Context& ctx, const store::Contact& contact,
                                       ByteView content);
Result<int64_t> WritePreparedMessage(Context& ctx, const PreparedMessage& prepared,
                                     uint64_t* generation);

// Several contents (to one or more contacts) in ONE transaction with one
// generation bump and one anchor raise: all are queued or none (e.g. the
// delivery receipts for a burst of messages). Same errors as QueueMessage.
struct QueuedContent {
  std::string_view contact_name{};
  ByteView content{};
};
Result<std::vector<int64_t>> QueueMessages(Context& ctx, const std::vector<QueuedContent>& items);

// Queues a Text message (validated as therapy content).
Result<int64_t> QueueText(Context& ctx, std::string_view contact_name, std::string_view text);

struct FlushReport {
  size_t sent = 0;
  size_t pending = 0;  // still unsent (relay unreachable or refused)
  std::string last_error{};
};

// Creates mailboxes still waiting for their ticket, then uploads unsent
// outbox rows oldest first. A relay that fails is skipped for the rest of the
// call; its rows stay queued.
FlushReport FlushOutbox(Context& ctx, RelayPool& pool);
// Only the mailbox creation part.
Status CreatePendingMailboxes(Context& ctx, RelayPool& pool);

struct ReceivedEvent {
  enum class Kind {
    kMessage,    // a new message, stored
    kPaired,     // a first message created (or renewed) a contact
    kDuplicate,  // already processed: ack, show nothing
    kDropped,    // undecryptable or unexpected: ack, warn
    kRetired,    // on a mailbox this profile retired (store/mailbox_deletions.h):
                 // not acked, not shown; the relay deletes it with the mailbox
  };
  Kind kind = Kind::kDropped;
  int64_t contact_id = 0;
  std::string contact_name{};
  // History row and serialised Content: kMessage, and kPaired when the
  // message that paired also carried content (message_id != 0).
  int64_t message_id = 0;
  Bytes content{};
  bool identity_changed = false;  // kPaired: a known contact came back with a new key
  std::string reason{};           // kDropped
  // With a message: a text or check-in gets a delivery receipt, queued in the
  // same transaction as the message. Empty when it was queued (or none was
  // due); otherwise why it could not be (e.g. the contact cannot be sent to).
  std::optional<Error> receipt_error{};
  // kPaired and messages: the contact is a pending re-pairing of the known
  // contact named here (store/pending.h); its messages are kept, flagged, and
  // get no receipt until confirmed.
  std::string pending_replaces{};
  // kDropped only: do NOT ack; the delivery stays on the relay. Set for a
  // mailbox this profile owns but cannot map to a contact or invitation
  // (e.g. a re-pairing not yet confirmed, or state a newer version wrote):
  // deleting it from the relay would lose a genuine message for good.
  bool keep_on_relay = false;
};

// Processes one delivery for a mailbox of this profile. When it returns a
// value, everything is committed and the caller must ack the delivery
// unless the event says keep_on_relay.
// Errors are local failures (database, I/O): do not ack, retry later.
Result<ReceivedEvent> HandleDelivery(Context& ctx, const net::Delivery& delivery);

}  // namespace attune::client
