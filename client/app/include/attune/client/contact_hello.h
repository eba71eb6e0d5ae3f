// The first message of a pairing (docs/PROTOCOL.md (part client), "Pairing"):
// a Content (proto/content.proto) whose body is a ContactHello, telling the
// inviter the accepting side's display name, its own mailbox and the
// capability to send there.
//
// The plaintext comes from whoever holds the invitation: it is parsed once,
// here, into a ContactHello that only exists when every field is in bounds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"

namespace attune::client {

struct ContactHello {
  std::string display_name{};  // ValidateDisplayName (routing.h) holds
  net::MailboxId mailbox_id{};
  crypto::SecretArray<32> send_capability{};
};

// The serialised Content; the protobuf's copy of the capability is wiped.
Bytes EncodeContactHello(const ByteArray<16>& message_id, uint64_t sent_at,
                         std::string_view display_name, const net::MailboxId& mailbox_id,
                         const crypto::SecretArray<32>& send_capability);

// Errors: kInvalidArgument when the bytes are not a Content, its body is not
// a ContactHello, or a field is out of bounds (display name, 32-byte mailbox
// id and capability).
Result<ContactHello> ParseContactHello(ByteView plaintext);

}  // namespace attune::client
