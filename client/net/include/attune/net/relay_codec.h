// Encoding of client requests and parsing of relay frames (proto/relay.proto)
// without I/O, shared by RelayConnection and attune-relay-bench.
//
// Parse, don't validate: ParseRelayFrame turns a decrypted RelayFrame into a
// RelayResponse or a Delivery whose fields have their documented sizes; code
// past this point never sees a raw protobuf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"
#include "attune/net/relay_protocol.h"

namespace attune::net {

struct RelayResponse {
  uint64_t request_id = 0;
  RelayCode code = RelayCode::kUnspecified;  // never kUnspecified after parsing
  std::string message{};                     // the relay's human text
  std::optional<crypto::SecretArray<kTicketSize>> ticket{};
  uint64_t message_id = 0;
};

using RelayMessage = std::variant<RelayResponse, Delivery>;

// Errors: kInvalidArgument for a frame that is not a RelayFrame, has no body,
// an unknown response code, a ticket that is not 32 bytes, or a delivery with
// a mailbox id that is not 32 bytes or an empty blob.
Result<RelayMessage> ParseRelayFrame(ByteView plaintext);

// Serialised ClientFrames (the plaintext of one transport message). Frames
// that carry a credential, ticket or capability are returned in SecretBytes
// so the copy is wiped once encrypted.
crypto::SecretBytes EncodeIssueTicket(uint64_t request_id,
                                      crypto::ConstSpan<kCredentialSize> credential);
crypto::SecretBytes EncodeCreateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                                        const crypto::Ed25519PublicKey& owner_public_key,
                                        const SendCapabilityHash& send_capability_hash,
                                        const CreateAuthorization& authorization);
crypto::SecretBytes EncodeSend(uint64_t request_id, const MailboxId& mailbox_id,
                               crypto::ConstSpan<kSendCapabilitySize> send_capability,
                               ByteView blob);
Bytes EncodeSubscribe(uint64_t request_id, const MailboxId& mailbox_id,
                      const crypto::Ed25519Signature& signature);
Bytes EncodePing(uint64_t request_id);
Bytes EncodeAck(uint64_t request_id, const MailboxId& mailbox_id, uint64_t message_id);
Bytes EncodeDeleteMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                          const crypto::Ed25519Signature& signature);
Bytes EncodeRotateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                          const crypto::Ed25519PublicKey& new_owner_public_key,
                          const SendCapabilityHash& new_send_capability_hash,
                          const crypto::Ed25519Signature& signature,
                          const crypto::Ed25519Signature& new_owner_signature);

}  // namespace attune::net
