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
// The write-queue credit a push reserves besides its blob: mailbox_id,
// message_id, blob header, Noise tag, frame header.
inline constexpr size_t kDeliveryFrameOverhead = 128;

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
  // Flow control (section 5): pushes stop while a connection's unwritten
  // bytes would pass this, and its requests are not read while its unwritten
  // bytes are at or above it; both resume as the socket drains.
  size_t max_write_queue_bytes = size_t{256} * 1024;

  // Hostile load, bounded globally (section 5).
  // Connections that have not finished the handshake (beyond: refused).
  size_t max_pending_handshakes = 1000;
  // Per source address (IPv4 address, or IPv6 /64), in memory only.
  size_t max_connections_per_address = 256;
  double handshakes_per_second_per_address = 50;
  double handshake_burst_per_address = 100;
  // Storage work queued at the committer, across all connections. Above
  // these only connections with nothing in flight may submit (one request
  // each); above twice these nothing is read from any socket.
  // Frames of at most 2 KiB count against the operations bound only.
  size_t max_queued_operations = 2048;
  size_t max_queued_bytes = size_t{1024} * 1024;
};

// Rows deleted by one purge transaction, so purging never stalls sends.
inline constexpr size_t kPurgeBatchRows = 5000;

}  // namespace attune::relay
