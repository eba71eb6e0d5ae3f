// Parse, don't validate: a decrypted ClientFrame (relay.proto) is turned once
// into a ValidatedRequest, which can only exist with every field of the right
// size and every owner key a valid Ed25519 point of the prime-order subgroup
// (docs/PROTOCOL.md (part mailbox) sections 2 and 5.1). Later code never sees
// protobuf.
//
// Secret-ish tokens (credential, ticket, send capability) are hashed here and
// only their hashes are carried on; the raw bytes in the parsed protobuf are
// wiped before it is destroyed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "attune/base/bytes.h"
#include "attune/crypto/ed25519.h"
#include "attune/relay/store/types.h"

namespace attune::relay {

using Signature = crypto::Ed25519Signature;

struct CreateMailboxRequest {
  enum class Auth { kCredential, kTicket };
  MailboxId mailbox_id{};
  OwnerKey owner_key{};
  Hash32 cap_hash{};
  Auth auth{};
  Hash32 auth_hash{};  // CredentialHash or TicketHash of the presented token
};

struct IssueTicketRequest {
  Hash32 credential_hash{};
};

struct SendRequest {
  MailboxId mailbox_id{};
  Hash32 presented_cap_hash{};  // SendCapabilityHash(send_capability)
  Blob blob{};                  // 1..max_blob_size bytes
};

struct SubscribeRequest {
  MailboxId mailbox_id{};
  Signature signature{};
};

struct AckRequest {
  MailboxId mailbox_id{};
  uint64_t message_id = 0;
};

struct DeleteMailboxRequest {
  MailboxId mailbox_id{};
  Signature signature{};
};

struct RotateMailboxRequest {
  MailboxId mailbox_id{};
  OwnerKey new_owner_key{};
  Hash32 new_cap_hash{};
  Signature signature{};
  Signature new_owner_signature{};
};

struct PingRequest {};

struct ValidatedRequest {
  uint64_t request_id = 0;
  std::variant<CreateMailboxRequest, IssueTicketRequest, SendRequest, SubscribeRequest, AckRequest,
               DeleteMailboxRequest, RotateMailboxRequest, PingRequest>
      body;
};

// Why a frame was refused. `request_id` is set when the frame parsed as
// protobuf (the relay then answers BAD_REQUEST before closing); unset when it
// did not parse at all (the relay just closes). `reason` is safe to log.
struct Rejection {
  std::optional<uint64_t> request_id{};
  std::string reason{};
};

using ParseOutcome = std::variant<ValidatedRequest, Rejection>;

// Parses one decrypted ClientFrame. `max_blob_size` is the configured limit
// (clamped to kMaxBlobSize). Never throws.
ParseOutcome ParseClientFrame(ByteView plaintext, size_t max_blob_size);

// A short lower-case name of the request kind for logs ("send", ...).
const char* RequestKindName(const ValidatedRequest& request);

}  // namespace attune::relay
