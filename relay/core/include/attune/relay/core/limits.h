// Every limit of the relay in one place: the hard protocol maxima and the
// defaults of the configurable limits (docs/PROTOCOL.md (part mailbox) section 5).
#pragma once

#include <cstddef>
#include <cstdint>

#include "attune/noise/constants.h"

namespace attune::relay {

// --- protocol maxima (changing them changes the protocol) -------------------
// 60 KiB: a Send or Delivery frame with a maximal blob stays below the Noise
// message limit of 65535 bytes (protobuf overhead < 120 bytes + 16-byte tag).
inline constexpr size_t kMaxBlobSize = 61440;
inline constexpr size_t kMaxFrameSize = noise::kMaxMessageSize;
// Upper bound of a Send frame's bytes besides the blob: request_id (11),
// send header (4), mailbox_id (34), send_capability (34), blob header (4),
// Noise tag (16) = 103, rounded up. max_frame_size must leave room for it.
inline constexpr size_t kSendFrameOverhead = 128;
// The same bound for a Delivery frame (mailbox_id, message_id, blob header,
// Noise tag, frame header): the write-queue credit a push reserves.
inline constexpr size_t kDeliveryFrameOverhead = 128;
// NK message 1 with the empty payload the relay requires: e (32) || tag (16).
inline constexpr size_t kHandshakeMessage1Size = noise::kDhLen + noise::kTagLen;
inline constexpr size_t kSignatureSize = 64;

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
  size_t max_pending_requests = 1024;
  size_t max_subscriptions_per_connection = 64;
  size_t delivery_window = 128;
  // Flow control (section 5): pushes stop while a connection's unwritten
  // bytes would pass this, and its requests are not read while its unwritten
  // bytes are at or above it; both resume as the socket drains.
  size_t max_write_queue_bytes = 256 * 1024;

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
  size_t max_queued_bytes = 1024 * 1024;
};

// Rows deleted by one purge transaction, so purging never stalls sends.
inline constexpr size_t kPurgeBatchRows = 5000;

}  // namespace attune::relay
