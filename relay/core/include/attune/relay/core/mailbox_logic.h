// The mailbox operations (docs/PROTOCOL.md (part mailbox) section 2), applied to a
// MailboxStore inside the caller's transaction. Sans-IO: time comes in as unix
// seconds, randomness as a RandomSource.
//
// Each function checks authorization before it changes anything and changes
// state last; an Outcome other than kOk means it wrote nothing. A storage
// error gives kUnavailable (and the store has poisoned the transaction, so
// the whole batch rolls back).
//
// Thread safety: none; called on the storage thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "attune/crypto/random.h"
#include "attune/relay/core/hashes.h"
#include "attune/relay/core/limits.h"
#include "attune/relay/core/request.h"
#include "attune/relay/store/mailbox_store.h"

namespace attune::relay {

// Mirrors relay.proto Response.Code.
enum class Code {
  kOk,
  kBadRequest,
  kUnauthorized,
  kNotFound,
  kAlreadyExists,
  kQuotaExceeded,
  kRateLimited,
  kUnavailable,
};

struct Outcome {
  Code code = Code::kOk;
  const char* message = "";                     // static text, never ids or keys
  uint64_t message_id = 0;                      // Send
  std::optional<ByteArray<kTokenSize>> ticket{};  // IssueTicket

  bool ok() const { return code == Code::kOk; }
};

Outcome CreateMailbox(MailboxStore& store, const CreateMailboxRequest& req, uint64_t now);

Outcome IssueTicket(MailboxStore& store, const IssueTicketRequest& req, const MailboxLimits& limits,
                    uint64_t now, crypto::RandomSource& random);

// On kOk, outcome.message_id is the id the blob was stored under.
Outcome SendMessage(MailboxStore& store, const SendRequest& req, const MailboxLimits& limits,
                    uint64_t now);

// Subscribe's authorization: the mailbox exists and `req.signature` verifies
// under its owner key over SubscribeSignedBytes(handshake_hash, id).
Outcome AuthorizeSubscribe(MailboxStore& store, const SubscribeRequest& req,
                           const HandshakeHash& handshake_hash);

// Deletes the message if present (acks are idempotent). The caller checks
// that the connection is subscribed.
Outcome AckMessage(MailboxStore& store, const AckRequest& req);

Outcome DeleteMailbox(MailboxStore& store, const DeleteMailboxRequest& req,
                      const HandshakeHash& handshake_hash);

Outcome RotateMailbox(MailboxStore& store, const RotateMailboxRequest& req,
                      const HandshakeHash& handshake_hash);

// A credential is usable when not revoked, now < expires_at and uses_left > 0.
bool CredentialUsable(const CredentialRecord& c, uint64_t now);

}  // namespace attune::relay
