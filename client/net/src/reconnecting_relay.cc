#include "attune/net/reconnecting_relay.h"

#include <algorithm>
#include <thread>

namespace attune::net {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

ReconnectingRelay::ReconnectingRelay(RelayEndpoint endpoint, ReconnectPolicy policy,
                                     crypto::RandomSource& random)
    : endpoint_(std::move(endpoint)),
      policy_(policy),
      random_(random),
      backoff_(policy.backoff, random),
      sleep_([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {}

ReconnectingRelay::~ReconnectingRelay() = default;

bool ReconnectingRelay::connected() const { return connection_ && connection_->is_open(); }

void ReconnectingRelay::Drop() {
  connection_.reset();
  if (!next_attempt_) next_attempt_ = Clock::now() + backoff_.Next();
}

Status ReconnectingRelay::EnsureConnected(Clock::time_point deadline) {
  if (connected()) return Status::Ok();
  connection_.reset();
  if (next_attempt_) {
    // Wait out the backoff, but never past the caller's deadline.
    if (*next_attempt_ > deadline) {
      sleep_(Remaining(deadline));
      return MakeError(ErrorCode::kIoError, "relay unreachable; will retry");
    }
    sleep_(Remaining(*next_attempt_));
  }
  next_attempt_.reset();
  const auto timeout = std::min(policy_.connect_timeout,
                                std::max(Remaining(deadline), std::chrono::milliseconds(1)));
  auto connection = RelayConnection::Connect(endpoint_, timeout, random_);
  if (!connection.ok()) {
    if (IsRetryable(connection.error())) Drop();
    return connection.error();
  }
  (*connection)->set_request_timeout(policy_.request_timeout);
  std::optional<Error> refused;
  for (size_t i = 0; i < subscriptions_.size();) {
    Status s = (*connection)->Subscribe(subscriptions_[i].mailbox_id, subscriptions_[i].owner);
    if (s.ok()) {
      ++i;
      continue;
    }
    if (IsRetryable(s.error())) {
      Drop();
      return s;
    }
    // Refused for good (rotated elsewhere, deleted): report it once and
    // stop retrying that mailbox; the others stay subscribed.
    if (!refused) refused = s.error();
    subscriptions_.erase(subscriptions_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  connection_ = std::move(*connection);
  last_request_ = Clock::now();
  ++connect_count_;
  backoff_.Reset();
  return refused ? Status(*refused) : Status::Ok();
}

Status ReconnectingRelay::AddSubscription(const MailboxId& mailbox_id,
                                          const crypto::Ed25519KeyPair& owner) {
  if (subscriptions_.size() >= kMaxSubscriptions) {
    return MakeError(ErrorCode::kLimitExceeded, "too many subscriptions");
  }
  if (connected()) {
    Status s = connection_->Subscribe(mailbox_id, owner);
    if (!s.ok()) {
      if (!IsRetryable(s.error())) return s;
      Drop();
    }
  }
  subscriptions_.push_back(Subscription{mailbox_id, owner.Clone()});
  return Status::Ok();
}

bool ReconnectingRelay::RemoveSubscription(const MailboxId& mailbox_id) {
  const auto it = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                               [&](const Subscription& s) { return s.mailbox_id == mailbox_id; });
  if (it == subscriptions_.end()) return false;
  subscriptions_.erase(it);
  // Reconnect at once, not after a backoff: nothing failed.
  connection_.reset();
  return true;
}

Result<std::optional<Delivery>> ReconnectingRelay::NextDelivery(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    Status s = EnsureConnected(deadline);
    if (!s.ok()) {
      if (!IsRetryable(s.error())) return s.error();
      if (Clock::now() >= deadline) return std::optional<Delivery>();
      continue;
    }
    const auto ping_at = last_request_ + policy_.keepalive_interval;
    if (Clock::now() >= ping_at) {
      Status ping = connection_->Ping();
      last_request_ = Clock::now();
      if (!ping.ok()) {
        if (!IsRetryable(ping.error())) return ping.error();
        Drop();
        continue;
      }
      continue;
    }
    auto delivery = connection_->NextDelivery(std::min(Remaining(deadline), Remaining(ping_at)));
    if (delivery.ok()) {
      if (delivery->has_value() || Clock::now() >= deadline) return delivery;
      continue;  // woke up for the keepalive
    }
    if (!IsRetryable(delivery.error())) return delivery.error();
    Drop();
    if (Clock::now() >= deadline) return std::optional<Delivery>();
  }
}

Status ReconnectingRelay::Ack(const MailboxId& mailbox_id, uint64_t message_id) {
  if (!connected()) return MakeError(ErrorCode::kIoError, "not connected to the relay");
  Status s = connection_->Ack(mailbox_id, message_id);
  last_request_ = std::chrono::steady_clock::now();
  if (!s.ok() && IsRetryable(s.error())) Drop();
  return s;
}

}  // namespace attune::net
