// Every limit of the relay in one place: the hard protocol maxima (defined
// in core/mailbox, shared with clients) and the defaults of the configurable
// limits (docs/PROTOCOL.md (part mailbox) section 5).
#pragma once

#include <cstddef>
#include <cstdint>

#include "attune/mailbox/constants.h"

namespace attune::relay {

// --- protocol maxima (changing them changes the protocol) -------------------
using mailbox::kHandshakeMessage1Size;
using mailbox::kMaxBlobSize;
using mailbox::kMaxFrameSize;
using mailbox::kSendFrameOverhead;
using mailbox::kSignatureSize;

inline constexpr uint64_t kSecondsPerDay = 86400;

// --- per-mailbox limits -----------------------------------------------------
struct MailboxLimits {
  uint64_t message_ttl_seconds = 14 * kSecondsPerDay;
  uint64_t ticket_ttl_seconds = 30 * kSecondsPerDay;
  uint64_t purge_interval_seconds = 300;
  uint64_t max_messages_per_mailbox = 10000;
  uint64_t max_bytes_per_mailbox = 64ull * 1024 * 1024;
  size_t max_blob_size = kMaxBlobSize;
};

// --- per-connection and server limits ---------------------------------------
struct ConnectionLimits {
  size_t max_connections = 10000;
  size_t max_frame_size = kMaxFrameSize;
  uint64_t handshake_timeout_ms = 10000;
  uint64_t idle_timeout_seconds = 300;
  uint64_t write_timeout_seconds = 30;
  double handshakes_per_second = 1000;
  double handshake_burst = 2000;
  double requests_per_second = 2000;
  double request_burst = 4000;
  size_t max_pending_requests = mailbox::kDefaultMaxPendingRequests;
  size_t max_subscriptions_per_connection = mailbox::kDefaultMaxSubscriptionsPerConnection;
  size_t delivery_window = mailbox::kDefaultDeliveryWindow;
  size_t max_write_queue_bytes = 256 * 1024;
};

// Rows deleted by one purge transaction, so purging never stalls sends.
inline constexpr size_t kPurgeBatchRows = 5000;

}  // namespace attune::relay
