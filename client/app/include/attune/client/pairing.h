// Pairing (docs/PROTOCOL.md (part client), "Pairing"):
//
//   therapist: CreateInvitation  -> fresh mailbox for this client (clinic
//              credential), a single-use ticket for the client's own mailbox,
//              an e2e invitation whose routing blob carries both.
//   client:    AcceptInvitation  -> own mailbox (ticket), X3DH, first message
//              = Content{ContactHello: display name, own mailbox id and send
//              capability}, queued in the outbox and uploaded.
//   therapist: HandleDelivery (messaging.h) turns that first message into a
//              contact and a session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "attune/base/result.h"
#include "attune/client/context.h"
#include "attune/client/relay_pool.h"
#include "attune/client/store/sqlite.h"

namespace attune::client {

inline constexpr uint64_t kDefaultInvitationLifetimeSeconds = uint64_t{7} * 24 * 3600;
// How long a re-pairing of a known contact waits for `verify --confirm`
// before the engine declines it (as long as an invitation lives: whoever
// re-pairs had a week to bring the new one, and has a week to be verified).
inline constexpr uint64_t kPendingRePairingLifetimeSeconds = kDefaultInvitationLifetimeSeconds;

// `base` if no contact has that name, else "base-2", "base-3", ...
Result<std::string> UniqueContactName(store::Database& db, std::string_view base);

struct InvitationOutput {
  std::string text{};  // ATTUNE1-... (invitation_codec.h)
  uint64_t expires_at = 0;
};

// Therapists only. `local_name`: what to call the invitee here (default: the
// name they give). `replaces`: re-pair an existing contact (a new device or
// a restored database); a different identity key then marks the contact as
// changed until re-verified. Talks to the clinic relay; commits locally only
// after the relay created the mailbox and issued the ticket.
Result<InvitationOutput> CreateInvitation(Context& ctx, RelayPool& pool,
                                          std::optional<std::string> local_name,
                                          std::optional<std::string> replaces,
                                          uint64_t lifetime_seconds);

struct AcceptOutput {
  std::string contact_name{};
  bool identity_changed = false;  // re-pairing with a contact whose key differs
  // Re-pairing with a known contact (same name or identity): its local name.
  // The new pairing is then the pending contact `contact_name` and replaces
  // nothing until `attune verify <pending_replaces> --confirm`.
  std::string pending_replaces{};
  bool delivered = false;        // the first message reached the relay
  std::string pending_reason{};  // why not (it stays queued; `attune sync` retries)
};

// Clients. Parses and checks the invitation (expiry, signatures), creates
// the own mailbox on the relay with the invitation's single-use ticket, and
// only then commits the mailbox, contact, session and first message in one
// transaction and uploads. Errors (nothing stored): kAuthFailed when the
// relay refuses the ticket (invitation already used or expired), kIoError
// when the relay cannot be reached, plus parsing errors.
// `local_name` defaults to the inviter's display name.
Result<AcceptOutput> AcceptInvitation(Context& ctx, RelayPool& pool, std::string_view text,
                                      std::optional<std::string> local_name);

}  // namespace attune::client
