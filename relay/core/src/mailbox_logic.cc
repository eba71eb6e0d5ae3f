#include "attune/relay/core/mailbox_logic.h"

#include "attune/crypto/ed25519.h"
#include "attune/crypto/util.h"

namespace attune::relay {
namespace {

Outcome Fail(Code code, const char* message) { return Outcome{code, message, 0, std::nullopt}; }
Outcome Unavailable() { return Fail(Code::kUnavailable, "storage unavailable"); }
Outcome Ok() { return Outcome{}; }

// Looks up a mailbox and checks a signature by its owner key. Unknown
// mailboxes and bad signatures give the same answer, so nobody without the
// owner key learns whether a mailbox exists.
Result<std::optional<MailboxRecord>> OwnedMailbox(MailboxStore& store, const MailboxId& id,
                                                  ByteView signed_bytes, const Signature& sig) {
  auto mailbox = store.GetMailbox(id);
  if (!mailbox.ok()) return mailbox.error();
  if (!*mailbox || !crypto::Ed25519Verify((*mailbox)->owner_key, signed_bytes, sig)) {
    return std::optional<MailboxRecord>();
  }
  return mailbox;
}

// The write half of an owner-signed request: the mailbox must still exist and
// belong to the key whose signature the check verified (deleted or rotated
// by someone else since: that key no longer owns it).
Result<bool> StillOwnedBy(MailboxStore& store, const MailboxId& id, const OwnerKey& verified) {
  auto mailbox = store.GetMailbox(id);
  if (!mailbox.ok()) return mailbox.error();
  return *mailbox && crypto::ConstantTimeEqual((*mailbox)->owner_key, verified);
}

}  // namespace

bool CredentialUsable(const CredentialRecord& c, uint64_t now) {
  return !c.revoked && now < c.expires_at && c.uses_left > 0;
}

Outcome CreateMailbox(MailboxStore& store, const CreateMailboxRequest& req, uint64_t now) {
  auto existing = store.GetMailbox(req.mailbox_id);
  if (!existing.ok()) return Unavailable();
  if (*existing) {
    // A retried create (the first reply was lost) is OK without spending
    // again; only the owner knows the owner key.
    if ((*existing)->owner_key == req.owner_key &&
        crypto::ConstantTimeEqual((*existing)->cap_hash, req.cap_hash)) {
      return Ok();
    }
  }

  std::optional<CredentialRecord> credential;
  if (req.auth == CreateMailboxRequest::Auth::kCredential) {
    auto found = store.FindCredential(req.auth_hash);
    if (!found.ok()) return Unavailable();
    if (!*found || !CredentialUsable(**found, now)) {
      return Fail(Code::kUnauthorized, "credential not valid");
    }
    credential = **found;
  } else {
    auto ticket = store.FindTicket(req.auth_hash);
    if (!ticket.ok()) return Unavailable();
    if (!*ticket || now >= (*ticket)->expires_at) {
      return Fail(Code::kUnauthorized, "ticket not valid");
    }
  }
  if (*existing) return Fail(Code::kAlreadyExists, "mailbox id taken");

  MailboxRecord record;
  record.id = req.mailbox_id;
  record.owner_key = req.owner_key;
  record.cap_hash = req.cap_hash;
  if (!store.InsertMailbox(record).ok()) return Unavailable();
  Status spent = credential ? store.SetCredentialUses(credential->id, credential->uses_left - 1)
                            : store.DeleteTicket(req.auth_hash);
  if (!spent.ok()) return Unavailable();
  return Ok();
}

Outcome IssueTicket(MailboxStore& store, const IssueTicketRequest& req, const MailboxLimits& limits,
                    uint64_t now, crypto::RandomSource& random) {
  auto found = store.FindCredential(req.credential_hash);
  if (!found.ok()) return Unavailable();
  if (!*found || !CredentialUsable(**found, now)) {
    return Fail(Code::kUnauthorized, "credential not valid");
  }
  ByteArray<kTokenSize> ticket = random.Array<kTokenSize>();
  TicketRecord record{mailbox::TicketHash(ticket), (*found)->id, now + limits.ticket_ttl_seconds};
  if (!store.InsertTicket(record).ok()) return Unavailable();
  if (!store.SetCredentialUses((*found)->id, (*found)->uses_left - 1).ok()) return Unavailable();
  Outcome out = Ok();
  out.ticket = ticket;
  return out;
}

Outcome SendMessage(MailboxStore& store, const SendRequest& req, const MailboxLimits& limits,
                    uint64_t now) {
  // A second pass only when the store found the mailbox's next id taken and
  // repaired its counters from the rows (kAlreadyExists).
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto mailbox = store.GetMailbox(req.mailbox_id);
    if (!mailbox.ok()) return Unavailable();
    // Same answer for "no such mailbox" and "wrong capability": a stale
    // sender does not learn whether the mailbox still exists.
    if (!*mailbox || !crypto::ConstantTimeEqual((*mailbox)->cap_hash, req.presented_cap_hash)) {
      return Fail(Code::kUnauthorized, "no such mailbox or wrong send capability");
    }
    const MailboxRecord& m = **mailbox;
    if (m.message_count + 1 > limits.max_messages_per_mailbox ||
        m.byte_count + req.blob->size() > limits.max_bytes_per_mailbox) {
      return Fail(Code::kQuotaExceeded, "mailbox full");
    }
    Status appended =
        store.AppendMessage(m.id, m.next_message_id, req.blob, now + limits.message_ttl_seconds);
    if (appended.ok()) {
      Outcome out = Ok();
      out.message_id = m.next_message_id;
      return out;
    }
    if (appended.error().code != ErrorCode::kAlreadyExists) return Unavailable();
  }
  return Unavailable();
}

Outcome AuthorizeSubscribe(MailboxStore& store, const SubscribeRequest& req,
                           const HandshakeHash& handshake_hash, OwnerKey* verified_owner_key) {
  auto owned =
      OwnedMailbox(store, req.mailbox_id,
                   mailbox::SubscribeSignedBytes(handshake_hash, req.mailbox_id), req.signature);
  if (!owned.ok()) return Unavailable();
  if (!*owned) return Fail(Code::kUnauthorized, "no such mailbox or bad signature");
  if (verified_owner_key != nullptr) *verified_owner_key = (*owned)->owner_key;
  return Ok();
}

Outcome AckMessage(MailboxStore& store, const AckRequest& req) {
  if (!store.ForgetMessage(req.mailbox_id, req.message_id).ok()) return Unavailable();
  return Ok();
}

OwnerCheck CheckDelete(MailboxStore& store, const DeleteMailboxRequest& req,
                       const HandshakeHash& handshake_hash) {
  OwnerCheck check;
  // The cheap lookup first: an unknown mailbox costs no signature check.
  auto owned =
      OwnedMailbox(store, req.mailbox_id,
                   mailbox::DeleteSignedBytes(handshake_hash, req.mailbox_id), req.signature);
  if (!owned.ok()) {
    check.outcome = Unavailable();
  } else if (!*owned) {
    check.outcome = Fail(Code::kUnauthorized, "no such mailbox or bad signature");
  } else {
    check.verified_owner_key = (*owned)->owner_key;
  }
  return check;
}

Outcome CommitDelete(MailboxStore& store, const DeleteMailboxRequest& req,
                     const OwnerKey& verified_owner_key) {
  auto owned = StillOwnedBy(store, req.mailbox_id, verified_owner_key);
  if (!owned.ok()) return Unavailable();
  if (!*owned) return Fail(Code::kUnauthorized, "no such mailbox or bad signature");
  if (!store.DeleteMailbox(req.mailbox_id).ok()) return Unavailable();
  return Ok();
}

Outcome DeleteMailbox(MailboxStore& store, const DeleteMailboxRequest& req,
                      const HandshakeHash& handshake_hash) {
  OwnerCheck check = CheckDelete(store, req, handshake_hash);
  if (!check.outcome.ok()) return check.outcome;
  return CommitDelete(store, req, check.verified_owner_key);
}

Outcome CheckRotateSignatures(const RotateMailboxRequest& req, const OwnerKey& owner_key,
                              const HandshakeHash& handshake_hash) {
  Bytes signed_bytes = mailbox::RotateSignedBytes(handshake_hash, req.mailbox_id, req.new_owner_key,
                                                  req.new_cap_hash);
  // The new key must sign too: nobody can hand a mailbox to a key they do
  // not hold.
  if (!crypto::Ed25519Verify(owner_key, signed_bytes, req.signature)) {
    return Fail(Code::kUnauthorized, "no such mailbox or bad signature");
  }
  // Only the owner gets this far: an invalid new key is a broken client.
  if (!crypto::Ed25519IsValidPublicKey(req.new_owner_key)) {
    return Fail(Code::kBadRequest, "invalid new owner key");
  }
  if (!crypto::Ed25519Verify(req.new_owner_key, signed_bytes, req.new_owner_signature)) {
    return Fail(Code::kUnauthorized, "no such mailbox or bad signature");
  }
  return Ok();
}

RotateCheck CheckRotate(MailboxStore& store, const RotateMailboxRequest& req,
                        const HandshakeHash& handshake_hash) {
  RotateCheck check;
  // The cheap lookup first: an unknown mailbox costs no signature check.
  auto mailbox = store.GetMailbox(req.mailbox_id);
  if (!mailbox.ok()) {
    check.outcome = Unavailable();
    return check;
  }
  if (!*mailbox) {
    check.outcome = Fail(Code::kUnauthorized, "no such mailbox or bad signature");
    return check;
  }
  check.outcome = CheckRotateSignatures(req, (*mailbox)->owner_key, handshake_hash);
  check.verified_owner_key = (*mailbox)->owner_key;
  return check;
}

Outcome CommitRotate(MailboxStore& store, const RotateMailboxRequest& req,
                     const OwnerKey& verified_owner_key) {
  auto owned = StillOwnedBy(store, req.mailbox_id, verified_owner_key);
  if (!owned.ok()) return Unavailable();
  if (!*owned) return Fail(Code::kUnauthorized, "no such mailbox or bad signature");
  if (!store.UpdateMailboxKeys(req.mailbox_id, req.new_owner_key, req.new_cap_hash).ok()) {
    return Unavailable();
  }
  return Ok();
}

Outcome RotateMailbox(MailboxStore& store, const RotateMailboxRequest& req,
                      const HandshakeHash& handshake_hash) {
  RotateCheck check = CheckRotate(store, req, handshake_hash);
  if (!check.outcome.ok()) return check.outcome;
  return CommitRotate(store, req, check.verified_owner_key);
}

}  // namespace attune::relay
