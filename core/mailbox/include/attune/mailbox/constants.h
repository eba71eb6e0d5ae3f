// Every constant of the mailbox (relay) protocol in one place: sizes,
// domain-separation labels and the limits a client must respect
// (docs/PROTOCOL.md (part mailbox) sections 2-5). Both the relay and the
// client take them from here; changing one changes the protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/noise/constants.h"

namespace attune::mailbox {

// --- sizes -------------------------------------------------------------------
inline constexpr size_t kMailboxIdSize = 32;
inline constexpr size_t kTokenSize = 32;  // send capabilities, credentials, tickets
inline constexpr size_t kHash32Size = 32;
inline constexpr size_t kOwnerKeySize = 32;   // Ed25519 public key
inline constexpr size_t kSignatureSize = 64;  // Ed25519
inline constexpr size_t kHandshakeHashSize = noise::kHashLen;

using MailboxId = ByteArray<kMailboxIdSize>;
using Hash32 = ByteArray<kHash32Size>;
using OwnerKey = ByteArray<kOwnerKeySize>;
using HandshakeHash = ByteArray<kHandshakeHashSize>;
// A stored blob: immutable once received and shared between the relay's
// store, batches and write queues without copying.
using Blob = std::shared_ptr<const std::string>;

// --- domain-separation labels (ASCII, no terminator; none is a prefix of
// another) --------------------------------------------------------------------
inline constexpr std::string_view kSendCapabilityLabel = "attune-relay/v1/send-capability";
inline constexpr std::string_view kCredentialLabel = "attune-relay/v1/credential";
inline constexpr std::string_view kTicketLabel = "attune-relay/v1/ticket";
inline constexpr std::string_view kSubscribeLabel = "attune-relay/v1/subscribe";
inline constexpr std::string_view kDeleteLabel = "attune-relay/v1/delete";
inline constexpr std::string_view kRotateLabel = "attune-relay/v1/rotate";

// --- protocol maxima (section 5) ---------------------------------------------
// 60 KiB: a Send or Delivery frame with a maximal blob stays below the Noise
// message limit of 65535 bytes (protobuf overhead < 120 bytes + 16-byte tag).
inline constexpr size_t kMaxBlobSize = 61440;
inline constexpr size_t kMaxFrameSize = noise::kMaxMessageSize;
// Upper bound of a Send frame's bytes besides the blob: request_id (11),
// send header (4), mailbox_id (34), send_capability (34), blob header (4),
// Noise tag (16) = 103, rounded up. max_frame_size must leave room for it.
inline constexpr size_t kSendFrameOverhead = 128;
// NK message 1 with the empty payload the relay requires: e (32) || tag (16).
inline constexpr size_t kHandshakeMessage1Size = noise::kDhLen + noise::kTagLen;

// --- limits a client must respect (defaults of the relay's configuration) ----
// Subscriptions one connection may hold; one more is answered QUOTA_EXCEEDED.
inline constexpr size_t kDefaultMaxSubscriptionsPerConnection = 64;
// Unacknowledged deliveries the relay pushes per subscription before it
// waits for acks. A client reading every subscription of a connection must
// therefore be able to hold subscriptions x window deliveries.
inline constexpr size_t kDefaultDeliveryWindow = 128;
inline constexpr size_t kMaxUnackedDeliveriesPerConnection =
    kDefaultMaxSubscriptionsPerConnection * kDefaultDeliveryWindow;
// Requests in flight per connection before the relay answers RATE_LIMITED.
inline constexpr size_t kDefaultMaxPendingRequests = 1024;

}  // namespace attune::mailbox
