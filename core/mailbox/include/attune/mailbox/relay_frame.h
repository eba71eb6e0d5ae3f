// The relay's side of its own frames (relay.proto RelayFrame): encoding a
// Response or a Delivery. The client parses them with ParseRelayFrame
// (client_codec.h). Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/mailbox/codes.h"
#include "attune/mailbox/constants.h"

namespace attune::mailbox {

// A serialised RelayFrame carrying a Response. `message` is static human
// text (never ids or keys) and is omitted when empty; `message_id` is
// omitted when 0. When `ticket` is set the returned string holds it: the
// caller wipes the string (crypto::SecureZero) once it is encrypted; the
// protobuf's own copy is wiped here.
std::string EncodeResponse(uint64_t request_id, Code code, std::string_view message,
                           uint64_t message_id, const std::optional<ByteArray<kTokenSize>>& ticket);

// A serialised RelayFrame carrying one Delivery of a stored blob.
std::string EncodeDelivery(const MailboxId& mailbox_id, uint64_t message_id, std::string_view blob);

}  // namespace attune::mailbox
