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
#include "attune/mailbox/codes.h"
#include "attune/mailbox/hashes.h"
#include "attune/mailbox/request.h"
#include "attune/relay/core/limits.h"
#include "attune/relay/store/mailbox_store.h"

namespace attune::relay {

// The protocol's validated requests, codes and hashes (core/mailbox), under
// the names the relay uses.
using mailbox::AckRequest;
using mailbox::Code;
using mailbox::CreateMailboxRequest;
using mailbox::DeleteMailboxRequest;
using mailbox::HandshakeHash;
using mailbox::IssueTicketRequest;
using mailbox::kTokenSize;
using mailbox::PingRequest;
using mailbox::RotateMailboxRequest;
using mailbox::SendRequest;
using mailbox::Signature;
using mailbox::SubscribeRequest;
using mailbox::ValidatedRequest;

struct Outcome {
  Code code = Code::kOk;
  const char* message = "";                       // static text, never ids or keys
  uint64_t message_id = 0;                        // Send
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
// under its owner key over SubscribeSignedBytes(handshake_hash, id). On OK
// `verified_owner_key` (when given) receives that key: a cluster node checks
// it again after it may have missed a rotation (cross_node.cc).
Outcome AuthorizeSubscribe(MailboxStore& store, const SubscribeRequest& req,
                           const HandshakeHash& handshake_hash,
                           OwnerKey* verified_owner_key = nullptr);

// Deletes the message if present (acks are idempotent). The caller checks
// that the connection is subscribed.
Outcome AckMessage(MailboxStore& store, const AckRequest& req);

// Owner-signed writes (DeleteMailbox, RotateMailbox) run in two steps, so no
// Ed25519 verification ever runs on the committer's thread: a check (a read:
// looks the mailbox up first, so an unknown one costs no verification, then
// verifies, on any thread) and a commit (a write: changes the mailbox only
// if its owner key is still the one the check verified).
struct OwnerCheck {
  Outcome outcome{};
  OwnerKey verified_owner_key{};  // valid when outcome.ok()
};
using RotateCheck = OwnerCheck;

OwnerCheck CheckDelete(MailboxStore& store, const DeleteMailboxRequest& req,
                       const HandshakeHash& handshake_hash);
Outcome CommitDelete(MailboxStore& store, const DeleteMailboxRequest& req,
                     const OwnerKey& verified_owner_key);
// CheckDelete then CommitDelete on one store (tests, single-threaded callers).
Outcome DeleteMailbox(MailboxStore& store, const DeleteMailboxRequest& req,
                      const HandshakeHash& handshake_hash);

// Rotation: CheckRotate verifies both signatures (the current owner's and
// the new key's), CommitRotate applies the new keys.
RotateCheck CheckRotate(MailboxStore& store, const RotateMailboxRequest& req,
                        const HandshakeHash& handshake_hash);
Outcome CommitRotate(MailboxStore& store, const RotateMailboxRequest& req,
                     const OwnerKey& verified_owner_key);
// Both signatures over RotateSignedBytes: the current owner's and the new key's.
Outcome CheckRotateSignatures(const RotateMailboxRequest& req, const OwnerKey& owner_key,
                              const HandshakeHash& handshake_hash);
// CheckRotate then CommitRotate on one store (tests, single-threaded callers).
Outcome RotateMailbox(MailboxStore& store, const RotateMailboxRequest& req,
                      const HandshakeHash& handshake_hash);

// A credential is usable when not revoked, now < expires_at and uses_left > 0.
bool CredentialUsable(const CredentialRecord& c, uint64_t now);

}  // namespace attune::relay
