// Client-side pieces of the mailbox protocol (proto/relay.proto,
// docs/PROTOCOL.md (part mailbox)) that need no I/O: the byte-exact inputs of the
// owner signatures, the send-capability hash, and the mapping of relay
// response codes to Attune errors.
//
// The relay computes the same formulas in its own code (relay/ never depends
// on client/); docs/PROTOCOL.md (part mailbox) is the single source of truth for
// both, and the client tests pin them to fixed bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/secret.h"

namespace attune::net {

inline constexpr size_t kMailboxIdSize = 32;
inline constexpr size_t kSendCapabilitySize = 32;
inline constexpr size_t kCredentialSize = 32;
inline constexpr size_t kTicketSize = 32;
inline constexpr size_t kHandshakeHashSize = 64;

using MailboxId = ByteArray<kMailboxIdSize>;
using SendCapabilityHash = ByteArray<32>;
using HandshakeHash = ByteArray<kHandshakeHashSize>;

// Domain-separation labels (ASCII, no terminator).
inline constexpr std::string_view kSendCapabilityLabel = "attune-relay/v1/send-capability";
inline constexpr std::string_view kSubscribeLabel = "attune-relay/v1/subscribe";
inline constexpr std::string_view kDeleteLabel = "attune-relay/v1/delete";
inline constexpr std::string_view kRotateLabel = "attune-relay/v1/rotate";

// BLAKE2b-256("attune-relay/v1/send-capability" || capability): what the
// relay stores instead of the capability itself.
SendCapabilityHash ComputeSendCapabilityHash(crypto::ConstSpan<kSendCapabilitySize> capability);

// "attune-relay/v1/subscribe" || handshake_hash (64) || mailbox_id (32).
Bytes SubscribeSignatureInput(const HandshakeHash& handshake_hash, const MailboxId& mailbox_id);
// "attune-relay/v1/delete" || handshake_hash (64) || mailbox_id (32).
Bytes DeleteSignatureInput(const HandshakeHash& handshake_hash, const MailboxId& mailbox_id);
// "attune-relay/v1/rotate" || handshake_hash || mailbox_id
//   || new_owner_public_key (32) || new_send_capability_hash (32).
Bytes RotateSignatureInput(const HandshakeHash& handshake_hash, const MailboxId& mailbox_id,
                           const crypto::Ed25519PublicKey& new_owner_public_key,
                           const SendCapabilityHash& new_send_capability_hash);

// The relay's answer codes (relay.proto Response.Code), independent of the
// generated protobuf header so that callers need not include it.
enum class RelayCode {
  kUnspecified = 0,
  kOk = 1,
  kBadRequest = 2,
  kUnauthorized = 3,
  kNotFound = 4,
  kAlreadyExists = 5,
  kQuotaExceeded = 6,
  kRateLimited = 7,
  kUnavailable = 8,
};

const char* RelayCodeName(RelayCode code);

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
