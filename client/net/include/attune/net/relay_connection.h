// A blocking client connection to attune-relay: TCP, then the
// Noise_NK_25519_ChaChaPoly_BLAKE2b handshake against the relay's static key,
// then the mailbox protocol of proto/relay.proto (docs/PROTOCOL.md (part mailbox)).
//
// Every call blocks for at most its timeout. Internally the connection is
// pipelined: requests carry ids, answers are matched by id, and Deliveries
// that arrive while a call waits for its answer are queued (bounded by
// kMaxQueuedDeliveries) for NextDelivery().
//
// Errors: every method documents its own; in addition any transport failure
// (connection reset, a frame that does not decrypt, a malformed frame from
// the relay, a timeout) returns kIoError and kills the connection for good:
// every later call fails with kIoError and the owner should drop it and
// Connect again (ReconnectingRelay does that). Relay answers other than OK
// map to errors as RelayCodeToError() describes; they leave the connection
// usable.
//
// Thread safety: none. One thread owns a RelayConnection at a time.
// Secrets: credentials, tickets, capabilities and owner keys are used for
// one request and not kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"
#include "attune/net/relay_protocol.h"

namespace attune::net {

struct RelayEndpoint {
  std::string host{};  // a name or a literal IPv4/IPv6 address
  uint16_t port = 0;
  crypto::X25519PublicKey relay_public_key{};
};

// Delivery (mailbox::Delivery, relay_protocol.h) is a stored message pushed
// by the relay to a subscribed connection. At-least-once: the same
// message_id may arrive again until it is acked.

// How CreateMailbox is authorised: a clinic credential (issued by the relay
// admin) or a single-use ticket (from IssueTicket, carried in an invitation).
class CreateAuthorization {
 public:
  enum class Kind { kCredential, kTicket };
  static CreateAuthorization Credential(crypto::ConstSpan<kCredentialSize> credential);
  static CreateAuthorization Ticket(crypto::ConstSpan<kTicketSize> ticket);

  Kind kind() const { return kind_; }
  const crypto::SecretArray<32>& token() const { return token_; }

 private:
  CreateAuthorization(Kind kind, crypto::ConstSpan<32> token) : kind_(kind), token_(token) {}
  Kind kind_{};
  crypto::SecretArray<32> token_{};
};

class RelayConnection {
 public:
  // What the relay allows by default (relay/core limits.h,
  // docs/PROTOCOL.md (part mailbox) section 5): subscriptions per connection,
  // and unacknowledged deliveries it pushes per subscription.
  static constexpr size_t kRelayMaxSubscriptionsPerConnection = 64;
  static constexpr size_t kRelayDeliveryWindow = 128;
  // Deliveries queued while waiting for answers; more ends the connection
  // (kIoError) rather than growing without bound. The relay never pushes
  // more than one window per subscription before acks, so a client that
  // stays within kRelayMaxSubscriptionsPerConnection can queue everything
  // the relay may push at once (a therapist's sync subscribing to 64 busy
  // mailboxes must not abort).
  static constexpr size_t kMaxQueuedDeliveries =
      kRelayMaxSubscriptionsPerConnection * kRelayDeliveryWindow;
  // Requests sent and not yet answered (SendNoWait). Well below the relay's
  // default max_pending_requests (1024), beyond which it answers
  // RATE_LIMITED.
  static constexpr size_t kMaxPendingRequests = 256;
  static constexpr std::chrono::milliseconds kDefaultRequestTimeout{10000};

  // Resolves, connects and completes the Noise handshake within `timeout`.
  // `random` supplies the ephemeral key and is not kept.
  // Errors: kIoError (resolve/connect/handshake I/O failure or timeout),
  // kAuthFailed (the peer does not hold the expected static key).
  static Result<std::unique_ptr<RelayConnection>> Connect(const RelayEndpoint& endpoint,
                                                          std::chrono::milliseconds timeout,
                                                          crypto::RandomSource& random);

  ~RelayConnection();
  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;

  // How long each request waits for its answer (default 10 s).
  void set_request_timeout(std::chrono::milliseconds timeout) { request_timeout_ = timeout; }

  // Spends one use of `credential` for a single-use ticket.
  // Errors: kAuthFailed (unknown, revoked, expired or used-up credential).
  Result<crypto::SecretArray<kTicketSize>> IssueTicket(
      crypto::ConstSpan<kCredentialSize> credential);

  // Creates a mailbox owned by `owner_public_key` that accepts sends whose
  // capability hashes to `send_capability_hash` (ComputeSendCapabilityHash).
  // Errors: kAuthFailed (bad credential/ticket), kAlreadyExists.
  Status CreateMailbox(const MailboxId& mailbox_id,
                       const crypto::Ed25519PublicKey& owner_public_key,
                       const SendCapabilityHash& send_capability_hash,
                       const CreateAuthorization& authorization);

  // Stores `blob` (1..relay max blob size) in the mailbox; returns the
  // message id once the relay has made it durable.
  // Errors: kAuthFailed (wrong capability), kNotFound, kLimitExceeded
  // (mailbox full), kInvalidArgument (empty or oversized blob).
  Result<uint64_t> Send(const MailboxId& mailbox_id,
                        crypto::ConstSpan<kSendCapabilitySize> send_capability, ByteView blob);

  // Pipelined Send: writes the request and returns its request id at once;
  // AwaitSend() collects the answer. Up to kMaxPendingRequests may be
  // outstanding (kLimitExceeded beyond, connection unchanged).
  Result<uint64_t> SendNoWait(const MailboxId& mailbox_id,
                              crypto::ConstSpan<kSendCapabilitySize> send_capability,
                              ByteView blob);
  // Errors as Send(); kInvalidArgument for an id not from SendNoWait.
  Result<uint64_t> AwaitSend(uint64_t request_id);

  // Proves ownership (signature over this session's handshake hash) and
  // starts delivery of stored then new messages, oldest first.
  // Errors: kAuthFailed (wrong owner key), kNotFound.
  Status Subscribe(const MailboxId& mailbox_id, const crypto::Ed25519KeyPair& owner);

  // The next delivery: a queued one at once, else waits up to `timeout`.
  // nullopt when none arrived in time (the connection stays usable).
  Result<std::optional<Delivery>> NextDelivery(std::chrono::milliseconds timeout);

  // Deletes a delivered message. Only on a connection subscribed to it.
  // Acking an unknown or already-acked id is not an error for the relay's
  // at-least-once contract; see docs/PROTOCOL.md (part mailbox) for the exact code.
  Status Ack(const MailboxId& mailbox_id, uint64_t message_id);

  // Deletes the mailbox and all messages in it.
  // Errors: kAuthFailed (wrong owner key), kNotFound.
  Status DeleteMailbox(const MailboxId& mailbox_id, const crypto::Ed25519KeyPair& owner);

  // Replaces the owner key and the send capability (old capability stops
  // working). Errors: kAuthFailed, kNotFound.
  Status RotateMailbox(const MailboxId& mailbox_id, const crypto::Ed25519KeyPair& current_owner,
                       const crypto::Ed25519KeyPair& new_owner,
                       const SendCapabilityHash& new_send_capability_hash);

  // Keeps an idle connection open: the relay closes connections that send
  // no complete frame for its idle timeout (default 300 s).
  Status Ping();

  // The Noise handshake hash of this session (what owner signatures cover).
  const HandshakeHash& handshake_hash() const;

  // False once the connection has failed or been closed.
  bool is_open() const;
  // Closes the socket; later calls fail with kIoError.
  void Close();

  // BLAKE2b-256("attune-relay/v1/send-capability" || capability).
  static SendCapabilityHash SendCapabilityHashOf(
      crypto::ConstSpan<kSendCapabilitySize> capability) {
    return ComputeSendCapabilityHash(capability);
  }

 private:
  class Impl;
  explicit RelayConnection(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_{};
  std::chrono::milliseconds request_timeout_ = kDefaultRequestTimeout;
};

}  // namespace attune::net
