#include "attune/client/sync.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "attune/client/store/records.h"
#include "attune/net/reconnecting_relay.h"

namespace attune::client {
namespace {

using Steady = std::chrono::steady_clock;
using RelayKey = std::tuple<std::string, uint16_t, ByteArray<32>>;

// attune-relay's default max_subscriptions_per_connection; the delivery
// queue of a connection is sized for that many full windows.
constexpr size_t kMaxSubscriptionsPerConnection =
    net::RelayConnection::kRelayMaxSubscriptionsPerConnection;

RelayKey KeyOf(const store::RelayRoute& r) { return {r.host, r.port, r.relay_public_key}; }

void Count(SyncReport& report, const ReceivedEvent& e) {
  switch (e.kind) {
    case ReceivedEvent::Kind::kMessage:
    case ReceivedEvent::Kind::kPaired:
      ++report.received;
      break;
    case ReceivedEvent::Kind::kDuplicate:
      ++report.duplicates;
      break;
    case ReceivedEvent::Kind::kDropped:
      ++report.dropped;
      break;
  }
}

}  // namespace

Result<SyncReport> SyncOnce(Context& ctx, RelayPool& pool, const SyncOptions& options,
                            const EventSink& sink) {
  SyncReport report;
  report.flush = FlushOutbox(ctx, pool);
  ATTUNE_ASSIGN_OR_RETURN(auto mailboxes, store::ListMailboxes(ctx.db()));
  std::map<RelayKey, std::vector<const store::OwnedMailbox*>> by_relay;
  for (const auto& m : mailboxes) {
    if (!m.has_pending_ticket) by_relay[KeyOf(m.relay)].push_back(&m);
  }
  const auto deadline = Steady::now() + options.max_duration;
  for (auto& [key, boxes] : by_relay) {
    const net::RelayEndpoint endpoint = ToEndpoint(boxes.front()->relay);
    // The relay caps subscriptions per connection: one connection per chunk.
    for (size_t first = 0; first < boxes.size(); first += kMaxSubscriptionsPerConnection) {
      const size_t last = std::min(boxes.size(), first + kMaxSubscriptionsPerConnection);
      ATTUNE_ASSIGN_OR_RETURN(auto relay,
                              net::RelayConnection::Connect(endpoint, kConnectTimeout, ctx.random));
      for (size_t i = first; i < last; ++i) {
        const store::OwnedMailbox* m = boxes[i];
        crypto::Ed25519KeyPair owner = crypto::Ed25519KeyPairFromSeed(m->owner_seed.span());
        Status s = relay->Subscribe(m->mailbox_id, owner);
        if (!s.ok()) {
          if (net::IsRetryable(s.error())) return s.error();
          // A mailbox the relay no longer knows (deleted, expired) must not
          // keep every other conversation from syncing.
          ++report.dropped;
        }
      }
      while (Steady::now() < deadline) {
        ATTUNE_ASSIGN_OR_RETURN(auto delivery, relay->NextDelivery(options.quiet));
        if (!delivery) break;
        ATTUNE_ASSIGN_OR_RETURN(ReceivedEvent event, HandleDelivery(ctx, *delivery));
        // Committed: now the relay may forget it (unless we could not map it).
        if (!event.keep_on_relay) {
          ATTUNE_RETURN_IF_ERROR(relay->Ack(delivery->mailbox_id, delivery->message_id));
        }
        Count(report, event);
        if (sink) sink(event);
      }
    }
  }
  // Replies queued by pairings processed above (none today) and anything
  // that failed earlier get another chance.
  FlushReport again = FlushOutbox(ctx, pool);
  report.flush.sent += again.sent;
  report.flush.pending = again.pending;
  if (!again.last_error.empty()) report.flush.last_error = again.last_error;
  (void)store::PruneProcessed(ctx.db(), static_cast<int64_t>(ctx.now()));
  return report;
}

Status Watch(Context& ctx, const WatchOptions& options, const std::atomic<bool>* stop,
             const EventSink& sink, const std::function<void(const std::string&)>& status) {
  std::map<std::pair<RelayKey, size_t>, std::unique_ptr<net::ReconnectingRelay>> relays;
  std::map<RelayKey, size_t> per_relay_count;
  std::set<int64_t> subscribed;
  RelayPool pool(ctx.random);
  const auto start = Steady::now();
  auto next_rescan = start;
  std::string last_flush_error;
  while (stop == nullptr || !stop->load()) {
    if (options.duration.count() > 0 && Steady::now() - start >= options.duration) break;
    if (Steady::now() >= next_rescan) {
      next_rescan = Steady::now() + options.rescan;
      FlushReport flush = FlushOutbox(ctx, pool);
      if (flush.sent > 0 && status)
        status("sent " + std::to_string(flush.sent) + " queued message(s)");
      if (!flush.last_error.empty() && flush.last_error != last_flush_error && status) {
        status("some messages are still queued: " + flush.last_error);
      }
      last_flush_error = flush.last_error;
      ATTUNE_ASSIGN_OR_RETURN(auto mailboxes, store::ListMailboxes(ctx.db()));
      for (const auto& m : mailboxes) {
        if (m.has_pending_ticket || subscribed.count(m.row) != 0) continue;
        const size_t chunk = per_relay_count[KeyOf(m.relay)]++ / kMaxSubscriptionsPerConnection;
        auto& relay = relays[{KeyOf(m.relay), chunk}];
        if (!relay) {
          relay = std::make_unique<net::ReconnectingRelay>(ToEndpoint(m.relay),
                                                           net::ReconnectPolicy{}, ctx.random);
        }
        crypto::Ed25519KeyPair owner = crypto::Ed25519KeyPairFromSeed(m.owner_seed.span());
        Status s = relay->AddSubscription(m.mailbox_id, owner);
        if (!s.ok()) {
          if (status) status("cannot watch a mailbox: " + s.error().message);
          continue;
        }
        subscribed.insert(m.row);
      }
    }
    if (relays.empty()) {
      std::this_thread::sleep_for(options.poll);
      continue;
    }
    const auto slice = options.poll / static_cast<int>(relays.size());
    for (auto& [key, relay] : relays) {
      auto delivery = relay->NextDelivery(std::max(slice, std::chrono::milliseconds(50)));
      if (!delivery.ok()) {
        if (status) status("relay: " + delivery.error().message);
        continue;
      }
      if (!*delivery) continue;
      ATTUNE_ASSIGN_OR_RETURN(ReceivedEvent event, HandleDelivery(ctx, **delivery));
      // An ack lost to a reconnect only means a redelivery, which the
      // processed-hash table recognises.
      if (!event.keep_on_relay) (void)relay->Ack((*delivery)->mailbox_id, (*delivery)->message_id);
      if (sink) sink(event);
    }
  }
  return Status::Ok();
}

}  // namespace attune::client
