// Fetching from the relay: `attune sync` (drain what is waiting, then
// return) and `attune watch` (stay connected, reconnect with exponential
// backoff, report messages as they arrive).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "attune/base/result.h"
#include "attune/client/context.h"
#include "attune/client/messaging.h"
#include "attune/client/relay_pool.h"

namespace attune::client {

// Called for every processed delivery (after commit and ack).
using EventSink = std::function<void(const ReceivedEvent&)>;

struct SyncOptions {
  // Stop once no delivery arrived for this long (the relay pushes stored
  // messages right after Subscribe, so a short pause means "drained").
  std::chrono::milliseconds quiet{1500};
  // Hard bound on one sync, whatever the relay does.
  std::chrono::milliseconds max_duration{120000};
};

struct SyncReport {
  size_t received = 0;    // new messages and pairings
  size_t duplicates = 0;  // redeliveries recognised and acked
  size_t dropped = 0;
  FlushReport flush{};
};

// Flushes the outbox, subscribes to every mailbox of the profile (grouped by
// relay), processes and acks deliveries until quiet. Errors: a relay that
// cannot be reached or refuses a subscription (kIoError, kAuthFailed, ...),
// local database failures.
Result<SyncReport> SyncOnce(Context& ctx, RelayPool& pool, const SyncOptions& options,
                            const EventSink& sink);

struct WatchOptions {
  std::chrono::milliseconds poll{500};
  // Re-check the database for new mailboxes and unsent outbox rows this often
  // (another `attune` process may have queued or invited meanwhile).
  std::chrono::milliseconds rescan{2000};
  // 0 = until *stop becomes true.
  std::chrono::milliseconds duration{0};
};

// Runs until *stop (set from a signal handler) or the duration elapsed.
// Relay failures are retried with backoff (net::ReconnectingRelay); only
// local failures end the watch with an error.
Status Watch(Context& ctx, const WatchOptions& options, const std::atomic<bool>* stop,
             const EventSink& sink, const std::function<void(const std::string&)>& status);

}  // namespace attune::client
