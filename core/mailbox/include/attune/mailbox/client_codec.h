// The client's side of the mailbox protocol (proto/relay.proto): encoding
// requests (ClientFrame) and parsing the relay's frames (RelayFrame), without
// I/O. Used by client/net's RelayConnection, attune-relay-bench and tests; the
// relay parses the same requests with ParseClientFrame (request.h).
//
// Parse, don't validate: ParseRelayFrame turns a decrypted RelayFrame into a
// RelayResponse or a Delivery whose fields have their documented sizes; code
// past this point never sees a raw protobuf.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/secret.h"
#include "attune/mailbox/codes.h"
#include "attune/mailbox/constants.h"

namespace attune::relay::v1 {
class ClientFrame;
}

namespace attune::mailbox {

struct RelayResponse {
  uint64_t request_id = 0;
  Code code = Code::kUnspecified;  // never kUnspecified after parsing
  std::string message{};           // the relay's human text
  std::optional<crypto::SecretArray<kTokenSize>> ticket{};
  uint64_t message_id = 0;
};

// One stored message pushed on a subscription.
struct Delivery {
  MailboxId mailbox_id{};
  uint64_t message_id = 0;
  Bytes blob{};  // end-to-end ciphertext, opaque to the relay; never empty
};

using RelayMessage = std::variant<RelayResponse, Delivery>;

// Errors: kInvalidArgument for a frame that is not a RelayFrame, has no body,
// an unknown response code, a ticket that is not 32 bytes, or a delivery with
// a mailbox id that is not 32 bytes, message id 0, or an empty or oversized
// (> kMaxBlobSize) blob.
Result<RelayMessage> ParseRelayFrame(ByteView plaintext);

// Serialised ClientFrames (the plaintext of one transport message). Frames
// that carry a credential, ticket or capability are returned in SecretBytes
// so the copy is wiped once encrypted.
crypto::SecretBytes EncodeIssueTicket(uint64_t request_id,
                                      crypto::ConstSpan<kTokenSize> credential);
// How CreateMailbox is authorised: a clinic credential or a single-use ticket.
enum class CreateAuth { kCredential, kTicket };
crypto::SecretBytes EncodeCreateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                                        const crypto::Ed25519PublicKey& owner_public_key,
                                        const Hash32& send_capability_hash, CreateAuth auth,
                                        crypto::ConstSpan<kTokenSize> token);
crypto::SecretBytes EncodeSend(uint64_t request_id, const MailboxId& mailbox_id,
                               crypto::ConstSpan<kTokenSize> send_capability, ByteView blob);
Bytes EncodeSubscribe(uint64_t request_id, const MailboxId& mailbox_id,
                      const crypto::Ed25519Signature& signature);
Bytes EncodePing(uint64_t request_id);
Bytes EncodeAck(uint64_t request_id, const MailboxId& mailbox_id, uint64_t message_id);
Bytes EncodeDeleteMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                          const crypto::Ed25519Signature& signature);
Bytes EncodeRotateMailbox(uint64_t request_id, const MailboxId& mailbox_id,
                          const crypto::Ed25519PublicKey& new_owner_public_key,
                          const Hash32& new_send_capability_hash,
                          const crypto::Ed25519Signature& signature,
                          const crypto::Ed25519Signature& new_owner_signature);

// Reusable encoder for a load generator's hot path: Send and Ack frames into
// one buffer, without locked memory or a new protobuf per frame. The
// returned view is valid until the next call. Only for throwaway test
// capabilities: the buffer is not wiped.
class RequestEncoder {
 public:
  RequestEncoder();
  ~RequestEncoder();
  RequestEncoder(const RequestEncoder&) = delete;
  RequestEncoder& operator=(const RequestEncoder&) = delete;

  ByteView Send(uint64_t request_id, const MailboxId& mailbox_id,
                crypto::ConstSpan<kTokenSize> send_capability, ByteView blob);
  ByteView Ack(uint64_t request_id, const MailboxId& mailbox_id, uint64_t message_id);

 private:
  ByteView Serialize();
  std::unique_ptr<relay::v1::ClientFrame> frame_{};
  Bytes buffer_{};
};

}  // namespace attune::mailbox
