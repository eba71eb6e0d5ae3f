// The client's view of the mailbox protocol. The protocol itself — sizes,
// labels, signed bytes, the capability hash, response codes and the
// relay.proto codec — lives once, in core/mailbox (attune/mailbox/*.h),
// shared with the relay; this header gives its types the names client/net
// uses and adds the client's policy: how a relay answer becomes an Error and
// which errors are worth retrying.
#pragma once

#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/mailbox/client_codec.h"
#include "attune/mailbox/codes.h"
#include "attune/mailbox/constants.h"
#include "attune/mailbox/hashes.h"

namespace attune::net {

inline constexpr size_t kMailboxIdSize = mailbox::kMailboxIdSize;
inline constexpr size_t kSendCapabilitySize = mailbox::kTokenSize;
inline constexpr size_t kCredentialSize = mailbox::kTokenSize;
inline constexpr size_t kTicketSize = mailbox::kTokenSize;
inline constexpr size_t kHandshakeHashSize = mailbox::kHandshakeHashSize;

using MailboxId = mailbox::MailboxId;
using SendCapabilityHash = mailbox::Hash32;
using HandshakeHash = mailbox::HandshakeHash;
using RelayCode = mailbox::Code;
using Delivery = mailbox::Delivery;
using mailbox::RelayResponse;

// mailbox::SendCapabilityHash for a fixed-size capability (the name the
// client's callers use).
inline SendCapabilityHash ComputeSendCapabilityHash(
    crypto::ConstSpan<kSendCapabilitySize> capability) {
  return mailbox::SendCapabilityHash(capability);
}

// Maps a non-OK relay answer to an Error:
//   kBadRequest -> kInvalidArgument   kUnauthorized  -> kAuthFailed
//   kNotFound   -> kNotFound          kAlreadyExists -> kAlreadyExists
//   kQuotaExceeded -> kLimitExceeded (the mailbox is full; retrying will not help)
//   kRateLimited, kUnavailable, kUnspecified -> kIoError (retry later)
// The message starts with "relay: <code name>" followed by the relay's own
// human text (which never contains ids, keys or blobs).
Error RelayCodeToError(RelayCode code, std::string_view relay_message);

// True for errors worth retrying on a new connection after a delay
// (kIoError): transport failures, timeouts, and the relay's UNAVAILABLE and
// RATE_LIMITED answers.
bool IsRetryable(const Error& error);

}  // namespace attune::net
