#include "attune/client/pairing.h"

#include "attune/client/account.h"
#include "attune/client/contact_hello.h"
#include "attune/client/messaging.h"
#include "attune/client/routing.h"
#include "attune/client/store/pending.h"
#include "attune/client/store/records.h"
#include "attune/e2e/invitation.h"
#include "attune/e2e/invitation_codec.h"
#include "attune/e2e/x3dh.h"

namespace attune::client {
namespace {

constexpr int kMaxNameSuffix = 1000;

}  // namespace

Result<std::string> UniqueContactName(store::Database& db, std::string_view base) {
  std::string name(base);
  for (int i = 2; i <= kMaxNameSuffix; ++i) {
    auto c = store::GetContactByName(db, name);
    if (!c.ok() && c.error().code == ErrorCode::kNotFound) return name;
    if (!c.ok()) return c.error();
    name = std::string(base) + "-" + std::to_string(i);
  }
  return MakeError(ErrorCode::kLimitExceeded, "too many contacts with the same name");
}

Result<InvitationOutput> CreateInvitation(Context& ctx, RelayPool& pool,
                                          std::optional<std::string> local_name,
                                          std::optional<std::string> replaces,
                                          uint64_t lifetime_seconds) {
  store::Database& db = ctx.db();
  ATTUNE_ASSIGN_OR_RETURN(AccountInfo account, LoadAccount(db));
  if (account.role != Role::kTherapist) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "only a therapist profile can invite (clients accept invitations)");
  }
  if (local_name) ATTUNE_RETURN_IF_ERROR(ValidateDisplayName(*local_name));
  std::optional<int64_t> replaces_id;
  if (replaces) {
    ATTUNE_ASSIGN_OR_RETURN(store::Contact c, store::GetContactByName(db, *replaces));
    replaces_id = c.id;
  } else if (local_name) {
    if (store::GetContactByName(db, *local_name).ok()) {
      return MakeError(ErrorCode::kAlreadyExists, "a contact named " + *local_name +
                                                      " exists; use --replaces to pair them again");
    }
  }
  ATTUNE_ASSIGN_OR_RETURN(ClinicRelay clinic, LoadClinicRelay(db));
  ATTUNE_ASSIGN_OR_RETURN(e2e::Identity identity, LoadIdentity(db));

  // The mailbox this client will send to: fresh id, owner key, capability.
  store::OwnedMailbox mailbox;
  mailbox.mailbox_id = ctx.random.Array<32>();
  ctx.random.Fill(mailbox.owner_seed.mutable_span());
  ctx.random.Fill(mailbox.send_capability.mutable_span());
  mailbox.relay = ToRoute(clinic.endpoint);

  ATTUNE_ASSIGN_OR_RETURN(net::RelayConnection * relay, pool.Get(clinic.endpoint));
  crypto::Ed25519KeyPair owner = crypto::Ed25519KeyPairFromSeed(mailbox.owner_seed.span());
  ATTUNE_RETURN_IF_ERROR(
      relay->CreateMailbox(mailbox.mailbox_id, owner.public_key,
                           net::ComputeSendCapabilityHash(mailbox.send_capability.span()),
                           net::CreateAuthorization::Credential(clinic.credential.span())));
  ATTUNE_ASSIGN_OR_RETURN(crypto::SecretArray<32> ticket,
                          relay->IssueTicket(clinic.credential.span()));

  Routing routing;
  routing.relay = clinic.endpoint;
  routing.inviter_mailbox = mailbox.mailbox_id;
  routing.send_capability = mailbox.send_capability.Clone();
  routing.ticket = std::move(ticket);
  routing.inviter_name = account.display_name;
  Bytes blob = EncodeRouting(routing);
  auto minted = e2e::MintInvitation(identity, blob, ctx.now(), lifetime_seconds, ctx.random);
  crypto::SecureZero(blob.data(), blob.size());
  if (!minted.ok()) return minted.error();

  ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  ATTUNE_ASSIGN_OR_RETURN(int64_t mailbox_row, store::InsertMailbox(db, mailbox));
  store::InvitationRecord record;
  record.secrets = minted->secrets.Serialize();
  record.mailbox_row = mailbox_row;
  record.replaces_contact = replaces_id;
  record.suggested_name = local_name.value_or("");
  record.created_at = static_cast<int64_t>(ctx.now());
  record.expires_at = static_cast<int64_t>(minted->invitation.expires_at());
  ATTUNE_ASSIGN_OR_RETURN(int64_t invitation_row, store::InsertInvitation(db, record));
  (void)invitation_row;
  ATTUNE_RETURN_IF_ERROR(tx.Commit());
  return InvitationOutput{e2e::EncodeInvitationText(minted->invitation),
                          minted->invitation.expires_at()};
}

Result<AcceptOutput> AcceptInvitation(Context& ctx, RelayPool& pool, std::string_view text,
                                      std::optional<std::string> local_name) {
  store::Database& db = ctx.db();
  ATTUNE_ASSIGN_OR_RETURN(AccountInfo account, LoadAccount(db));
  if (account.role != Role::kClient) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "only a client profile accepts invitations (therapists create them)");
  }
  ATTUNE_ASSIGN_OR_RETURN(e2e::ValidatedInvitation invitation,
                          e2e::ParseInvitationText(text, ctx.now()));
  ATTUNE_ASSIGN_OR_RETURN(Routing routing, ParseRouting(invitation.routing_blob()));
  ATTUNE_ASSIGN_OR_RETURN(e2e::Identity identity, LoadIdentity(db));
  std::string name = local_name.value_or(routing.inviter_name);
  ATTUNE_RETURN_IF_ERROR(ValidateDisplayName(name));

  store::OwnedMailbox mailbox;
  mailbox.mailbox_id = ctx.random.Array<32>();
  ctx.random.Fill(mailbox.owner_seed.mutable_span());
  ctx.random.Fill(mailbox.send_capability.mutable_span());
  mailbox.relay = ToRoute(routing.relay);

  Bytes hello = EncodeContactHello(ctx.random.Array<16>(), ctx.now(), account.display_name,
                                   mailbox.mailbox_id, mailbox.send_capability);
  // The hello travels sealed in the X3DH prefix, which every message repeats
  // until the therapist replies: whichever of them arrives first creates the
  // contact. The first message itself carries no content.
  auto accepted = e2e::AcceptInvitation(identity, invitation, hello, {}, ctx.now(), ctx.random);
  crypto::SecureZero(hello.data(), hello.size());
  if (!accepted.ok()) return accepted.error();

  // The single-use ticket is spent on the relay BEFORE anything is stored:
  // the relay is the only party that knows whether this invitation was
  // already used, so a used (or expired, or another relay's) invitation
  // fails here, clearly, and leaves no contact behind. A crash between the
  // relay's answer and the commit below spends the invitation; the
  // therapist then issues a new one (docs/security/client.md).
  {
    auto relay = pool.Get(routing.relay);
    if (!relay.ok()) {
      return MakeError(relay.error().code,
                       "cannot reach the therapist's relay to pair (nothing was saved; try again "
                       "later): " +
                           relay.error().message);
    }
    crypto::Ed25519KeyPair owner = crypto::Ed25519KeyPairFromSeed(mailbox.owner_seed.span());
    Status created =
        (*relay)->CreateMailbox(mailbox.mailbox_id, owner.public_key,
                                net::ComputeSendCapabilityHash(mailbox.send_capability.span()),
                                net::CreateAuthorization::Ticket(routing.ticket.span()));
    if (!created.ok()) {
      if (net::IsRetryable(created.error())) pool.Drop(routing.relay);
      if (created.error().code == ErrorCode::kAuthFailed) {
        return MakeError(ErrorCode::kAuthFailed,
                         "this invitation has already been used or has expired (the relay refused "
                         "its one-time ticket); nothing was saved. Ask your therapist for a new "
                         "invitation");
      }
      return MakeError(created.error().code,
                       "the relay could not set up your mailbox (nothing was saved; try again): " +
                           created.error().message);
    }
  }

  const ByteArray<e2e::kIdentityRecordSize>& inviter_record = invitation.inviter().record();
  const Bytes inviter(inviter_record.begin(), inviter_record.end());
  AcceptOutput out;
  uint64_t generation = 0;
  {
    ATTUNE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    // Re-pairing: the same name, or the same identity under another name.
    std::optional<store::Contact> existing;
    auto by_name = store::GetContactByName(db, name);
    if (by_name.ok()) {
      existing = std::move(by_name).value();
    } else if (by_name.error().code != ErrorCode::kNotFound) {
      return by_name.error();
    } else {
      ATTUNE_ASSIGN_OR_RETURN(existing, store::FindContactByIdentity(db, inviter));
    }
    // Pairing again while a re-pairing is pending: the new one replaces the
    // pending one (MarkPending), for the same known contact.
    if (existing) {
      ATTUNE_ASSIGN_OR_RETURN(auto target, store::PendingReplaces(db, existing->id));
      if (target) {
        ATTUNE_ASSIGN_OR_RETURN(existing, store::GetContact(db, *target));
      }
    }
    ATTUNE_ASSIGN_OR_RETURN(int64_t mailbox_row, store::InsertMailbox(db, mailbox));
    // A re-pairing replaces nothing yet: the newcomer is a separate, pending
    // contact until the user confirms it (`attune verify NAME --confirm`), so
    // the known contact's session, mailbox and crisis resources stay in use
    // and its later messages are still received (store/pending.h).
    store::Contact contact;
    contact.created_at = static_cast<int64_t>(ctx.now());
    if (existing) {
      ATTUNE_ASSIGN_OR_RETURN(contact.name, UniqueContactName(db, existing->name + "-pending"));
      out.pending_replaces = existing->name;
      out.identity_changed = existing->identity_key != inviter;
    } else {
      contact.name = name;
    }
    contact.display_name = routing.inviter_name;
    contact.identity_key = inviter;
    contact.peer_relay = ToRoute(routing.relay);
    contact.peer_mailbox_id = routing.inviter_mailbox;
    contact.peer_send_capability = routing.send_capability.Clone();
    contact.own_mailbox_row = mailbox_row;
    ATTUNE_ASSIGN_OR_RETURN(contact.id, store::InsertContact(db, contact));
    if (existing) {
      ATTUNE_RETURN_IF_ERROR(
          store::MarkPending(db, contact.id, existing->id, static_cast<int64_t>(ctx.now())));
    }
    Bytes state = accepted->session.Serialize();
    Status put = store::PutSession(db, contact.id, state, static_cast<int64_t>(ctx.now()));
    crypto::SecureZero(state.data(), state.size());
    ATTUNE_RETURN_IF_ERROR(put);
    ATTUNE_ASSIGN_OR_RETURN(
        int64_t outbox_row,
        store::InsertOutbox(db, store::OutboxEntry{0, contact.id, 0, accepted->first_message},
                            static_cast<int64_t>(ctx.now())));
    (void)outbox_row;
    ATTUNE_ASSIGN_OR_RETURN(generation, ctx.profile.BumpGeneration());
    ATTUNE_RETURN_IF_ERROR(tx.Commit());
    out.contact_name = contact.name;
  }
  ctx.profile.ConfirmAnchor(generation);
  FlushReport report = FlushOutbox(ctx, pool);
  out.delivered = report.pending == 0 && report.last_error.empty();
  out.pending_reason = report.last_error;
  return out;
}

}  // namespace attune::client
