// Typed access to the profile database's tables (schema in schema.cc,
// documented in docs/PROTOCOL.md (part client), "Database schema").
//
// Every function runs one or a few statements on the given Database and
// expects the caller to hold a Transaction when it combines several writes
// that must be atomic (e.g. ratchet state + outbox row). Opaque blobs
// (identity, session, invitation secrets) are produced and parsed by
// attune_e2e; the store never looks inside them.
//
// Errors: kNotFound when a looked-up row does not exist, kAlreadyExists for
// a duplicate unique key, kIoError for SQLite failures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/client/store/sqlite.h"
#include "attune/crypto/secret.h"

namespace attune::client::store {

// ---- settings: small named values (role, display name, relay, ...) ----
Status PutSetting(Database& db, std::string_view key, ByteView value);
Result<std::optional<Bytes>> GetSetting(Database& db, std::string_view key);

// ---- identity: this device's serialised e2e identity (one row) ----
Status PutIdentity(Database& db, ByteView serialized_identity);
Result<crypto::SecretBytes> GetIdentity(Database& db);

// ---- relay endpoints as stored with mailboxes and contacts ----
struct RelayRoute {
  std::string host{};
  uint16_t port = 0;
  ByteArray<32> relay_public_key{};
};

// ---- mailboxes this device owns (receives from) ----
struct OwnedMailbox {
  int64_t row = 0;
  ByteArray<32> mailbox_id{};
  crypto::SecretArray<32> owner_seed{};       // Ed25519 seed of the fresh owner key
  crypto::SecretArray<32> send_capability{};  // handed to the one peer who sends here
  RelayRoute relay{};
  // Set while the mailbox still has to be created on the relay with this
  // single-use ticket (pairing commits locally first, then talks to the
  // relay; a crash in between is finished by the next sync).
  bool has_pending_ticket = false;
  crypto::SecretArray<32> pending_ticket{};
};
Result<int64_t> InsertMailbox(Database& db, const OwnedMailbox& mailbox);
Result<std::vector<OwnedMailbox>> ListMailboxes(Database& db);
Result<OwnedMailbox> GetMailbox(Database& db, int64_t row);
Result<std::optional<OwnedMailbox>> FindMailbox(Database& db, const ByteArray<32>& mailbox_id);
// The relay created it: forgets the ticket.
Status MarkMailboxCreated(Database& db, int64_t row);

// ---- contacts ----
struct Contact {
  int64_t id = 0;
  std::string name{};             // local name chosen on this device
  std::string display_name{};     // what the peer called themselves
  Bytes identity_key{};           // peer's identity public key (e2e encoding)
  bool verified = false;          // safety number confirmed for identity_key
  bool identity_changed = false;  // the peer's key changed since pairing/verification
  std::string send_block{};       // non-empty: why sending is disabled ("rollback")
  RelayRoute peer_relay{};        // where the peer's mailbox lives
  ByteArray<32> peer_mailbox_id{};
  crypto::SecretArray<32> peer_send_capability{};
  std::optional<int64_t> own_mailbox_row{};  // our mailbox the peer sends to
  int64_t created_at = 0;
};
Result<int64_t> InsertContact(Database& db, const Contact& contact);
// Rewrites every column except id and created_at.
Status UpdateContact(Database& db, const Contact& contact);
Result<Contact> GetContactByName(Database& db, std::string_view name);
Result<Contact> GetContact(Database& db, int64_t id);
Result<std::optional<Contact>> FindContactByIdentity(Database& db, ByteView identity_key);
Result<std::optional<Contact>> FindContactByOwnMailbox(Database& db, int64_t mailbox_row);
Result<std::vector<Contact>> ListContacts(Database& db);
// Sets send_block on every contact (rollback response).
Status BlockAllContacts(Database& db, std::string_view reason);

// ---- sessions: serialised ratchet state per contact ----
Status PutSession(Database& db, int64_t contact_id, ByteView state, int64_t now);
Result<crypto::SecretBytes> GetSession(Database& db, int64_t contact_id);

// ---- invitations this device minted (inviter side) ----
struct InvitationRecord {
  int64_t row = 0;
  crypto::SecretBytes secrets{};              // e2e InvitationSecrets, serialised
  int64_t mailbox_row = 0;                    // the fresh mailbox the invitee sends to
  std::optional<int64_t> replaces_contact{};  // re-pairing an existing contact
  std::string suggested_name{};               // local name to give the invitee
  int64_t created_at = 0;
  int64_t expires_at = 0;
  bool consumed = false;
};
Result<int64_t> InsertInvitation(Database& db, const InvitationRecord& invitation);
Result<std::optional<InvitationRecord>> FindInvitationByMailbox(Database& db, int64_t mailbox_row);
Status UpdateInvitation(Database& db, int64_t row, ByteView secrets, bool consumed);

// ---- messages (history) ----
enum class Direction { kIncoming = 0, kOutgoing = 1 };
struct MessageRecord {
  int64_t id = 0;
  int64_t contact_id = 0;
  Direction direction = Direction::kIncoming;
  Bytes content{};         // serialised attune.content.v1.Content (plaintext, DB only)
  int64_t created_at = 0;  // sender's clock for outgoing, receive time for incoming
  bool read = false;
  bool sent = false;  // outgoing: the relay acknowledged it
};
Result<int64_t> InsertMessage(Database& db, const MessageRecord& message);
// History of one contact, oldest first.
Result<std::vector<MessageRecord>> ListMessages(Database& db, int64_t contact_id);
// Incoming messages: unread first (oldest first within each group), at most
// `limit` (kNoLimit: all). Callers that re-order (urgent check-ins first)
// must load everything and apply their own limit after ordering.
inline constexpr size_t kNoLimit = static_cast<size_t>(-1);
Result<std::vector<MessageRecord>> ListInbox(Database& db, size_t limit);
Status MarkRead(Database& db, int64_t message_id);
// Marks every unread incoming message of one contact read, in one statement
// (the inbox index finds them; no message is read). Returns how many changed.
Result<size_t> MarkContactRead(Database& db, int64_t contact_id);

// ---- outbox: encrypted blobs not yet acknowledged by the relay ----
struct OutboxEntry {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t message_id = 0;  // 0 when the blob carries no history row (pairing)
  Bytes wire{};            // ciphertext as uploaded to the relay
};
Result<int64_t> InsertOutbox(Database& db, const OutboxEntry& entry, int64_t now);
Result<std::vector<OutboxEntry>> ListUnsent(Database& db, size_t limit);
// The relay acknowledged: marks the outbox row and its message sent and
// drops the stored ciphertext, in one transaction (its own, or the caller's
// if one is open).
Status MarkSent(Database& db, int64_t outbox_id, uint64_t relay_message_id, int64_t now);

// ---- wire blobs already processed (redelivery detection) ----
// Key: BLAKE2b-256 of the delivered blob. Pruned after kProcessedRetention.
inline constexpr int64_t kProcessedRetentionSeconds = int64_t{60} * 24 * 3600;
Result<bool> WasProcessed(Database& db, const ByteArray<32>& blob_hash);
Status MarkProcessed(Database& db, const ByteArray<32>& blob_hash, int64_t now);
Status PruneProcessed(Database& db, int64_t now);

}  // namespace attune::client::store
