// Receiving: decrypt and commit in one transaction; the caller acks after.
#include <variant>

#include "attune/client/account.h"
#include "attune/client/contact_hello.h"
#include "attune/client/content_view.h"
#include "attune/client/messaging.h"
#include "attune/client/pairing.h"
#include "attune/client/routing.h"
#include "attune/client/store/mailbox_deletions.h"
#include "attune/client/store/pending.h"
#include "attune/client/store/records.h"
#include "attune/client/therapy_state.h"
#include "attune/crypto/hash.h"
#include "attune/e2e/first_message.h"
#include "attune/e2e/session.h"
#include "attune/e2e/x3dh.h"
#include "attune/therapy/content.h"

namespace attune::client {
namespace {

ReceivedEvent Dropped(std::string reason) {
  ReceivedEvent e;
  e.kind = ReceivedEvent::Kind::kDropped;
  e.reason = std::move(reason);
  return e;
}

ReceivedEvent Duplicate() {
  ReceivedEvent e;
  e.kind = ReceivedEvent::Kind::kDuplicate;
  return e;
}

// Content that changes what this device shows about the peer's practice.
bool IsPeerSettings(ByteView plaintext) {
  auto parsed = therapy::ParseContent(plaintext);
  if (!parsed.ok()) return false;
  return std::holds_alternative<therapy::CrisisResourceSet>(parsed->body) ||
         std::holds_alternative<therapy::OfficeHours>(parsed->body) ||
         std::holds_alternative<therapy::CheckInSchedule>(parsed->body);
}

Status StoreSessionAndBump(Context& ctx, int64_t contact_id, const e2e::Session& session,
                           uint64_t* generation) {
  Bytes state = session.Serialize();
  Status put = store::PutSession(ctx.db(), contact_id, state, static_cast<int64_t>(ctx.now()));
  crypto::SecureZero(state.data(), state.size());
  ATTUNE_RETURN_IF_ERROR(std::move(put));
  if (*generation == 0) {
    ATTUNE_ASSIGN_OR_RETURN(*generation, ctx.profile.BumpGeneration());
  }
  return Status::Ok();
}

// Texts and check-ins get a delivery receipt, queued in the caller's
// transaction so that it exists exactly when the message does (a crash
// cannot keep one without the other). The sender learns the device stored
// the message, never whether anyone read it. A receipt that cannot be
// encrypted (the contact cannot be sent to) is reported, not fatal; a store
// failure while writing it fails the whole delivery.
Status QueueReceiptFor(Context& ctx, const store::Contact& contact, ByteView content,
                       uint64_t* generation, ReceivedEvent* event) {
  auto parsed = therapy::ParseContent(content);
  if (!parsed.ok() || !IsPersonMessage(KindOf(*parsed))) return Status::Ok();
  // A pending re-pairing learns nothing (not even "delivered") until it is
  // confirmed.
  ATTUNE_ASSIGN_OR_RETURN(auto pending, store::PendingReplaces(ctx.db(), contact.id));
  if (pending) return Status::Ok();
  auto receipt = NewTherapyContent(
      ctx, therapy::Receipt{therapy::ReceiptKind::kDelivered, {parsed->message_id}});
  Result<PreparedMessage> prepared = receipt.ok() ? PrepareMessage(ctx, contact, *receipt)
                                                  : Result<PreparedMessage>(receipt.error());
  if (!prepared.ok()) {
    event->receipt_error = prepared.error();
    return Status::Ok();
  }
  ATTUNE_ASSIGN_OR_RETURN(const int64_t receipt_row,
                          WritePreparedMessage(ctx, *prepared, generation));
  (void)receipt_row;
  return Status::Ok();
}

// Stores what `session` decrypted from `contact` (the session is already
// advanced) with its receipt, in the caller's transaction. An empty plaintext
// (a version 2 first message with no content) stores nothing.
Result<ReceivedEvent> StoreDecrypted(Context& ctx, const store::Contact& contact,
                                     const e2e::Session& session, Bytes plaintext,
                                     const ByteArray<32>& blob_hash, uint64_t* generation) {
  store::Database& db = ctx.db();
  ATTUNE_RETURN_IF_ERROR(StoreSessionAndBump(ctx, contact.id, session, generation));
  ATTUNE_RETURN_IF_ERROR(store::MarkProcessed(db, blob_hash, static_cast<int64_t>(ctx.now())));
  if (plaintext.empty()) return Duplicate();
  if (contact.identity_changed && IsPeerSettings(plaintext)) {
    // Until the new key is verified, whoever holds it must not decide which
    // crisis resources, office hours or check-in schedule this device shows.
    // The ratchet still advances (the message was genuine for this session).
    crypto::SecureZero(plaintext.data(), plaintext.size());
    return Dropped("settings (schedule, office hours or crisis resources) from " + contact.name +
                   " were ignored: their identity key changed and is not verified yet (`attune "
                   "verify " +
                   contact.name + "`)");
  }
  store::MessageRecord record;
  record.contact_id = contact.id;
  record.direction = store::Direction::kIncoming;
  record.content = std::move(plaintext);
  record.created_at = static_cast<int64_t>(ctx.now());
  ATTUNE_ASSIGN_OR_RETURN(int64_t message_id, store::InsertMessage(db, record));
  ReceivedEvent e;
  e.kind = ReceivedEvent::Kind::kMessage;
  e.contact_id = contact.id;
  e.contact_name = contact.name;
  e.message_id = message_id;
  ATTUNE_ASSIGN_OR_RETURN(auto replaces, store::PendingReplaces(db, contact.id));
  if (replaces) {
    ATTUNE_ASSIGN_OR_RETURN(store::Contact known, store::GetContact(db, *replaces));
    e.pending_replaces = known.name;
  }
  ATTUNE_RETURN_IF_ERROR(QueueReceiptFor(ctx, contact, record.content, generation, &e));
  e.content = std::move(record.content);
  return e;
}

// The initiator repeats its X3DH prefix until we reply: a version 2 first
// message on a contact's mailbox is decrypted on the existing session if
// its prefix is the one that created it (DecryptOnSession).
Result<Bytes> DecryptRepeatedFirstMessage(Context& ctx, const store::Contact& contact,
                                          e2e::Session& session, ByteView blob) {
  if (!contact.own_mailbox_row) {
    return MakeError(ErrorCode::kNotFound, "no invitation for this mailbox");
  }
  ATTUNE_ASSIGN_OR_RETURN(auto invitation,
                          store::FindInvitationByMailbox(ctx.db(), *contact.own_mailbox_row));
  if (!invitation || !invitation->consumed) {
    return MakeError(ErrorCode::kNotFound, "no used invitation for this mailbox");
  }
  ATTUNE_ASSIGN_OR_RETURN(e2e::InvitationSecrets secrets,
                          e2e::InvitationSecrets::Deserialize(invitation->secrets.view()));
  return e2e::DecryptOnSession(session, secrets, blob, ctx.now());
}

// A message on the mailbox of an established contact.
Result<ReceivedEvent> HandleContactMessage(Context& ctx, const store::Contact& contact,
                                           const net::Delivery& delivery,
                                           const ByteArray<32>& blob_hash, uint64_t* generation) {
  store::Database& db = ctx.db();
  ATTUNE_ASSIGN_OR_RETURN(crypto::SecretBytes state, store::GetSession(db, contact.id));
  ATTUNE_ASSIGN_OR_RETURN(e2e::Session session, e2e::Session::Deserialize(state.view()));
  const bool repeated = !delivery.blob.empty() && delivery.blob[0] == e2e::kFirstMessageTypeV2;
  auto plaintext = repeated ? DecryptRepeatedFirstMessage(ctx, contact, session, delivery.blob)
                            : session.Decrypt(delivery.blob, ctx.now());
  if (!plaintext.ok()) {
    ATTUNE_RETURN_IF_ERROR(store::MarkProcessed(db, blob_hash, static_cast<int64_t>(ctx.now())));
    if (plaintext.error().code == ErrorCode::kDuplicate) return Duplicate();
    if (plaintext.error().code == ErrorCode::kAlreadyExists) {
      return Dropped("a new pairing attempt on " + contact.name +
                     "'s used invitation was ignored (" + plaintext.error().message + ")");
    }
    return Dropped("a message from " + contact.name + " could not be decrypted (" +
                   plaintext.error().message + ")");
  }
  return StoreDecrypted(ctx, contact, session, std::move(plaintext).value(), blob_hash, generation);
}

// The first message of a pairing, on the fresh mailbox of one invitation.
Result<ReceivedEvent> HandleFirstMessage(Context& ctx, const store::OwnedMailbox& mailbox,
                                         store::InvitationRecord& invitation,
                                         const net::Delivery& delivery,
                                         const ByteArray<32>& blob_hash, uint64_t* generation) {
  store::Database& db = ctx.db();
  ATTUNE_ASSIGN_OR_RETURN(e2e::Identity self, LoadIdentity(db));
  ATTUNE_ASSIGN_OR_RETURN(e2e::InvitationSecrets secrets,
                          e2e::InvitationSecrets::Deserialize(invitation.secrets.view()));
  auto processed = e2e::ProcessFirstMessage(self, secrets, delivery.blob, ctx.now());
  if (!processed.ok()) {
    if (processed.error().code == ErrorCode::kDuplicate) return Duplicate();
    // Consumes nothing: the invitation stays open for the genuine message.
    return Dropped("a pairing message could not be accepted (" + processed.error().message + ")");
  }
  // Version 2 carries the hello in the X3DH prefix and this message's own
  // content (if any) in the ratchet message; version 1 has only the hello.
  const bool v2 = !processed->introduction.empty();
  auto hello = ParseContactHello(v2 ? processed->introduction : processed->plaintext);
  crypto::SecureZero(processed->introduction.data(), processed->introduction.size());
  if (!hello.ok()) return Dropped(hello.error().message);

  const Bytes peer_record(processed->peer.record().begin(), processed->peer.record().end());
  std::optional<store::Contact> existing;
  if (invitation.replaces_contact) {
    ATTUNE_ASSIGN_OR_RETURN(store::Contact c, store::GetContact(db, *invitation.replaces_contact));
    existing = std::move(c);
  } else {
    ATTUNE_ASSIGN_OR_RETURN(existing, store::FindContactByIdentity(db, peer_record));
  }

  // A pairing with a known contact (`invite --replaces`, or the same
  // identity again) replaces nothing yet: the newcomer is a separate,
  // pending contact until the therapist confirms it (`attune verify NAME
  // --confirm`); the known contact keeps its session and mailboxes.
  if (existing) {
    ATTUNE_ASSIGN_OR_RETURN(auto target, store::PendingReplaces(db, existing->id));
    if (target) {
      ATTUNE_ASSIGN_OR_RETURN(existing, store::GetContact(db, *target));
    }
  }
  store::Contact contact;
  const bool changed = existing && existing->identity_key != peer_record;
  contact.created_at = static_cast<int64_t>(ctx.now());
  if (existing) {
    ATTUNE_ASSIGN_OR_RETURN(contact.name, UniqueContactName(db, existing->name + "-pending"));
  } else {
    ATTUNE_ASSIGN_OR_RETURN(contact.name, UniqueContactName(db, invitation.suggested_name.empty()
                                                                    ? hello->display_name
                                                                    : invitation.suggested_name));
  }
  contact.display_name = hello->display_name;
  contact.identity_key = peer_record;
  contact.peer_relay = mailbox.relay;  // the accepting side's mailbox is on our relay
  contact.peer_mailbox_id = hello->mailbox_id;
  contact.peer_send_capability = hello->send_capability.Clone();
  contact.own_mailbox_row = mailbox.row;
  ATTUNE_ASSIGN_OR_RETURN(contact.id, store::InsertContact(db, contact));
  if (existing) {
    ATTUNE_RETURN_IF_ERROR(
        store::MarkPending(db, contact.id, existing->id, static_cast<int64_t>(ctx.now())));
  }
  crypto::SecretBytes consumed = processed->secrets.Serialize();
  ATTUNE_RETURN_IF_ERROR(store::UpdateInvitation(db, invitation.row, consumed.view(), true));
  // The message that paired may also carry content (v2: an earlier message
  // was lost or is late): stored like any other, with its receipt.
  ATTUNE_ASSIGN_OR_RETURN(
      ReceivedEvent e,
      StoreDecrypted(ctx, contact, processed->session,
                     v2 ? std::move(processed->plaintext) : Bytes{}, blob_hash, generation));
  if (e.kind != ReceivedEvent::Kind::kMessage) e = ReceivedEvent{};
  e.kind = ReceivedEvent::Kind::kPaired;
  e.contact_id = contact.id;
  e.contact_name = contact.name;
  e.identity_changed = changed;
  if (existing) e.pending_replaces = existing->name;
  return e;
}

}  // namespace

Result<ReceivedEvent> HandleDelivery(Context& ctx, const net::Delivery& delivery) {
  store::Database& db = ctx.db();
  ByteArray<32> blob_hash;
  crypto::Blake2bHasher hasher(32);
  hasher.Update(AsBytes("attune-client/v1/processed")).Update(delivery.blob);
  hasher.Final(blob_hash);

  uint64_t generation = 0;
  Result<ReceivedEvent> event = Dropped("");
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    ATTUNE_ASSIGN_OR_RETURN(bool seen, store::WasProcessed(db, blob_hash));
    if (seen) return Duplicate();
    ATTUNE_ASSIGN_OR_RETURN(auto mailbox, store::FindMailbox(db, delivery.mailbox_id));
    if (!mailbox) {
      ATTUNE_ASSIGN_OR_RETURN(const bool retired, store::IsMailboxRetired(db, delivery.mailbox_id));
      if (retired) {
        // Arrived before the relay carried out our delete: it goes with the
        // mailbox, unread, as docs/PROTOCOL.md says; nothing to warn about.
        ReceivedEvent e;
        e.kind = ReceivedEvent::Kind::kRetired;
        e.keep_on_relay = true;
        return e;
      }
      ReceivedEvent e = Dropped("a message arrived for a mailbox this profile does not own");
      e.keep_on_relay = true;
      return e;
    }
    ATTUNE_ASSIGN_OR_RETURN(auto contact, store::FindContactByOwnMailbox(db, mailbox->row));
    if (contact) {
      event = HandleContactMessage(ctx, *contact, delivery, blob_hash, &generation);
    } else {
      ATTUNE_ASSIGN_OR_RETURN(auto invitation, store::FindInvitationByMailbox(db, mailbox->row));
      if (!invitation) {
        ReceivedEvent e =
            Dropped("a message arrived on a mailbox with no contact; it stays on the relay");
        e.keep_on_relay = true;
        return e;
      }
      event = HandleFirstMessage(ctx, *mailbox, *invitation, delivery, blob_hash, &generation);
    }
    if (!event.ok()) return event;
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
  }
  if (generation != 0) ctx.profile.ConfirmAnchor(generation);
  return event;
}

}  // namespace attune::client
