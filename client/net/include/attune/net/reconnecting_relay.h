// A long-lived relay session for `attune watch`: keeps a set of mailbox
// subscriptions alive across relay restarts and network failures.
//
// Each call that needs the relay connects on demand. When the connection
// fails with a retryable error (IsRetryable: kIoError), the wrapper drops it,
// waits a jittered exponential backoff (Backoff) and connects again,
// re-subscribing every mailbox added with AddSubscription. Messages that were
// delivered but not acked before a failure are delivered again after the
// reconnect (the relay's at-least-once contract), so the owner must treat
// message ids idempotently.
//
// No call blocks longer than its timeout, backoff waits included, so a
// caller can poll a stop flag between calls (Ctrl-C in `attune watch`).
//
// Thread safety: none; one thread owns it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "attune/base/result.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/net/backoff.h"
#include "attune/net/relay_connection.h"

namespace attune::net {

struct ReconnectPolicy {
  BackoffPolicy backoff{};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  // A Ping is sent when nothing was sent for this long, well inside the
  // relay's idle timeout (default 300 s), so a quiet watch stays connected.
  std::chrono::milliseconds keepalive_interval{60000};
};

class ReconnectingRelay {
 public:
  // Subscriptions kept (each holds a clone of its owner key in locked memory).
  static constexpr size_t kMaxSubscriptions = 256;

  // `random` must outlive this object (ephemeral keys and jitter).
  ReconnectingRelay(RelayEndpoint endpoint, ReconnectPolicy policy, crypto::RandomSource& random);
  ~ReconnectingRelay();

  // Subscribes now if connected, and on every future connection.
  // Errors: kLimitExceeded beyond kMaxSubscriptions; kAuthFailed/kNotFound
  // from the relay (the subscription is then not kept). A retryable failure
  // keeps the subscription for the next connection and returns OK.
  Status AddSubscription(const MailboxId& mailbox_id, const crypto::Ed25519KeyPair& owner);

  // Stops watching a mailbox (retired by its owner). The relay protocol has
  // no unsubscribe, so a live connection that holds it is dropped and the
  // next call reconnects with the others only; deliveries already read for
  // it are not returned. Returns false if it was not subscribed.
  bool RemoveSubscription(const MailboxId& mailbox_id);

  // Waits up to `timeout` for a delivery on any subscribed mailbox,
  // (re)connecting as needed. nullopt on timeout, including while the relay
  // is unreachable. Errors: only non-retryable ones (e.g. kAuthFailed when a
  // subscription is refused after the owner rotated its key elsewhere).
  Result<std::optional<Delivery>> NextDelivery(std::chrono::milliseconds timeout);

  // Acks on the current connection. A retryable failure drops the
  // connection and returns kIoError; the message will be delivered again.
  Status Ack(const MailboxId& mailbox_id, uint64_t message_id);

  // True while a live connection exists.
  bool connected() const;
  // Completed (re)connections so far.
  uint64_t connect_count() const { return connect_count_; }

  // Test hook: replaces the wait between attempts (default: sleep_for).
  void set_sleep_for_testing(std::function<void(std::chrono::milliseconds)> sleep) {
    sleep_ = std::move(sleep);
  }

 private:
  struct Subscription {
    MailboxId mailbox_id{};
    crypto::Ed25519KeyPair owner{};
  };

  // Connects and subscribes everything, or returns why not.
  Status EnsureConnected(std::chrono::steady_clock::time_point deadline);
  void Drop();

  RelayEndpoint endpoint_{};
  ReconnectPolicy policy_{};
  crypto::RandomSource& random_;
  Backoff backoff_;
  std::vector<Subscription> subscriptions_{};
  std::unique_ptr<RelayConnection> connection_{};
  std::optional<std::chrono::steady_clock::time_point> next_attempt_{};
  std::chrono::steady_clock::time_point last_request_{};
  uint64_t connect_count_ = 0;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

}  // namespace attune::net
