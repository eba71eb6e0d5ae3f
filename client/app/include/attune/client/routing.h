// The routing blob of an invitation (proto/pairing.proto RoutingInfo;
// docs/PROTOCOL.md (part client), "Routing blob"): where the accepting side sends
// its first message and how it creates its own mailbox.
//
// Parsed once, at the boundary, into a Routing that can only exist when
// every field is within its bounds.
#pragma once

#include <string>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"

namespace attune::client {

inline constexpr uint32_t kRoutingVersion = 1;
inline constexpr size_t kMaxHostSize = 253;
inline constexpr size_t kMaxDisplayNameSize = 64;

struct Routing {
  net::RelayEndpoint relay{};
  net::MailboxId inviter_mailbox{};
  crypto::SecretArray<32> send_capability{};
  crypto::SecretArray<32> ticket{};
  std::string inviter_name{};
};

// Deterministic protobuf encoding of RoutingInfo (fields in number order).
// The bytes hold a capability and a ticket: they travel only inside the
// invitation, whose holder is meant to use them.
Bytes EncodeRouting(const Routing& routing);

// Errors: kInvalidArgument (not a RoutingInfo, a field out of bounds),
// kUnsupportedVersion (version other than 1).
Result<Routing> ParseRouting(ByteView blob);

// Display names: 1..64 bytes, checked by therapy::ValidateName (valid UTF-8,
// no C0/C1 controls, no bidi or invisible format characters).
Status ValidateDisplayName(std::string_view name);

}  // namespace attune::client
