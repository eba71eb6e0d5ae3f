// The mailbox protocol's hash constructions and signed byte strings
// (docs/PROTOCOL.md (part mailbox) sections 2.4-2.7 and 3). The relay
// verifies and the client signs exactly these bytes; each construction has
// its own domain-separation label (constants.h). Pure functions.
#pragma once

#include "attune/base/bytes.h"
#include "attune/mailbox/constants.h"

namespace attune::mailbox {

// BLAKE2b-256(label || token): what the relay stores instead of the token.
Hash32 SendCapabilityHash(ByteView send_capability);
Hash32 CredentialHash(ByteView credential);
Hash32 TicketHash(ByteView ticket);

// label || handshake_hash (64) || mailbox_id (32)
Bytes SubscribeSignedBytes(const HandshakeHash& h, const MailboxId& id);
Bytes DeleteSignedBytes(const HandshakeHash& h, const MailboxId& id);
// label || handshake_hash || mailbox_id || new_owner_key (32) || new_cap_hash (32)
Bytes RotateSignedBytes(const HandshakeHash& h, const MailboxId& id, const OwnerKey& new_owner,
                        const Hash32& new_cap_hash);

}  // namespace attune::mailbox
