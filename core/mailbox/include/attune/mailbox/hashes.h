// The relay's hash constructions and signed byte strings
// (docs/PROTOCOL.md (part mailbox) sections 2.4-2.7 and 3). Each has its own
// domain-separation label; no label is a prefix of another.
#pragma once

#include <string_view>

#include "attune/base/bytes.h"
#include "attune/noise/constants.h"
#include "attune/relay/store/types.h"

namespace attune::relay {

inline constexpr std::string_view kSendCapabilityLabel = "attune-relay/v1/send-capability";
inline constexpr std::string_view kCredentialLabel = "attune-relay/v1/credential";
inline constexpr std::string_view kTicketLabel = "attune-relay/v1/ticket";
inline constexpr std::string_view kSubscribeLabel = "attune-relay/v1/subscribe";
inline constexpr std::string_view kDeleteLabel = "attune-relay/v1/delete";
inline constexpr std::string_view kRotateLabel = "attune-relay/v1/rotate";

inline constexpr size_t kTokenSize = 32;  // capabilities, credentials, tickets
using HandshakeHash = ByteArray<noise::kHashLen>;

// BLAKE2b-256(label || token).
Hash32 SendCapabilityHash(ByteView send_capability);
Hash32 CredentialHash(ByteView credential);
Hash32 TicketHash(ByteView ticket);

// label || handshake_hash (64) || mailbox_id (32)
Bytes SubscribeSignedBytes(const HandshakeHash& h, const MailboxId& id);
Bytes DeleteSignedBytes(const HandshakeHash& h, const MailboxId& id);
// label || handshake_hash || mailbox_id || new_owner_key (32) || new_cap_hash (32)
Bytes RotateSignedBytes(const HandshakeHash& h, const MailboxId& id, const OwnerKey& new_owner,
                        const Hash32& new_cap_hash);

}  // namespace attune::relay
