// Fetching from the relay: the one-shot SyncOnce (`attune sync`) and the
// long-lived background sync (`attune watch`, the desktop app). Both hold
// the engine's lock only while a delivery is processed or the outbox
// uploaded, never while they wait for the relay.
#include <algorithm>
#include <condition_variable>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "attune/client/engine.h"
#include "attune/client/store/records.h"
#include "attune/net/reconnecting_relay.h"

namespace attune::client {
namespace {

using Steady = std::chrono::steady_clock;
using RelayKey = std::tuple<std::string, uint16_t, ByteArray<32>>;

// attune-relay's default max_subscriptions_per_connection.
constexpr size_t kMaxSubscriptionsPerConnection = 64;

RelayKey KeyOf(const store::RelayRoute& r) { return {r.host, r.port, r.relay_public_key}; }

std::string RelayName(const store::RelayRoute& r) { return r.host + ":" + std::to_string(r.port); }

struct MailboxRef {
  int64_t row = 0;
  store::RelayRoute relay{};
  net::MailboxId id{};
  crypto::Ed25519KeyPair owner{};
};

void AddFlush(SyncReport& into, const SyncReport& flush) {
  into.sent += flush.sent;
  into.pending = flush.pending;
  into.pending_reason = flush.pending_reason;
}

}  // namespace

Result<SyncReport> Engine::SyncOnce(const SyncOptions& options) {
  SyncReport report;
  std::vector<MailboxRef> mailboxes{};
  std::vector<Event> pending_events{};
  {
    std::vector<Event> expired{};
    std::lock_guard lock(mu_);
    // Re-pairings past their time are declined before anything is fetched
    // for them; retired mailboxes are deleted on their relays.
    ATTUNE_ASSIGN_OR_RETURN(auto names, ExpirePendingLocked(expired));
    (void)names;
    (void)DeleteRetiredMailboxesLocked();
    AddFlush(report, FlushLocked());
    ATTUNE_ASSIGN_OR_RETURN(auto stored, store::ListMailboxes(profile_.db()));
    for (const auto& m : stored) {
      if (m.has_pending_ticket) continue;
      mailboxes.push_back(MailboxRef{m.row, m.relay, m.mailbox_id,
                                     crypto::Ed25519KeyPairFromSeed(m.owner_seed.span())});
    }
    pending_events = std::move(expired);
  }
  EmitAll(pending_events);
  std::map<RelayKey, std::vector<const MailboxRef*>> by_relay{};
  for (const auto& m : mailboxes) by_relay[KeyOf(m.relay)].push_back(&m);
  const auto deadline = Steady::now() + options.max_duration;
  for (auto& [key, boxes] : by_relay) {
    const net::RelayEndpoint endpoint = ToEndpoint(boxes.front()->relay);
    // The relay caps subscriptions per connection: one connection per chunk.
    for (size_t first = 0; first < boxes.size(); first += kMaxSubscriptionsPerConnection) {
      const size_t last = std::min(boxes.size(), first + kMaxSubscriptionsPerConnection);
      ATTUNE_ASSIGN_OR_RETURN(auto relay,
                              net::RelayConnection::Connect(endpoint, kConnectTimeout, random_));
      for (size_t i = first; i < last; ++i) {
        Status s = relay->Subscribe(boxes[i]->id, boxes[i]->owner);
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
        std::vector<Event> events{};
        bool keep_on_relay = false;
        {
          std::lock_guard lock(mu_);
          ATTUNE_RETURN_IF_ERROR(ProcessDeliveryLocked(*delivery, report, events, keep_on_relay));
        }
        // Committed: shown at once, then the relay may forget it (unless we
        // could not map it).
        EmitAll(events);
        if (!keep_on_relay) {
          ATTUNE_RETURN_IF_ERROR(relay->Ack(delivery->mailbox_id, delivery->message_id));
        }
      }
    }
  }
  // Receipts and settings queued above go out now.
  std::lock_guard lock(mu_);
  AddFlush(report, FlushLocked());
  (void)store::PruneProcessed(profile_.db(), static_cast<int64_t>(now_()));
  return report;
}

Status Engine::StartBackgroundSync(const BackgroundSyncOptions& options) {
  if (bg_thread_.joinable()) {
    return MakeError(ErrorCode::kAlreadyExists, "background sync is already running");
  }
  bg_stop_.store(false);
  bg_thread_ = std::thread([this, options] { BackgroundLoop(options); });
  return Status::Ok();
}

void Engine::StopBackgroundSync() {
  if (!bg_thread_.joinable()) return;
  bg_stop_.store(true);
  bg_thread_.join();
}

void Engine::BackgroundLoop(BackgroundSyncOptions options) {
  struct Link {
    std::string name{};
    std::unique_ptr<net::ReconnectingRelay> relay{};
    bool connected = false;
  };
  std::map<std::pair<RelayKey, size_t>, Link> links{};
  std::map<RelayKey, size_t> per_relay_count{};
  // Mailbox row -> the link that watches it.
  std::map<int64_t, std::pair<std::pair<RelayKey, size_t>, net::MailboxId>> subscribed{};
  // A relay's refusal of a subscription, held until the next rescan shows
  // whether this profile retired that mailbox meanwhile (another process
  // confirmed a re-pairing and deleted it on the relay): then it is expected
  // and not reported.
  std::vector<Event> held_refusals{};
  std::string last_pending_reason{};
  auto next_rescan = Steady::now();
  bool flush_needed = false;

  bool checked = false;
  {
    std::lock_guard lock(mu_);
    checked = integrity_checked_;
  }
  if (!checked) {
    // Deferred at open (EngineOptions::integrity_check): nothing is
    // fetched or written here before every page has been verified.
    Status integrity = CheckIntegrity();
    if (!integrity.ok()) {
      Emit(EngineError{EngineError::Kind::kLocal, integrity.error().code,
                       integrity.error().message});
      return;
    }
  }
  while (!bg_stop_.load()) {
    std::vector<Event> events{};
    if (Steady::now() >= next_rescan || flush_needed) {
      const bool rescan = Steady::now() >= next_rescan;
      SyncReport flush;
      std::vector<MailboxRef> fresh{};
      std::vector<std::pair<std::pair<RelayKey, size_t>, net::MailboxId>> gone{};
      Status listed = Status::Ok();
      {
        std::lock_guard lock(mu_);
        if (rescan) {
          auto expired = ExpirePendingLocked(events);
          if (!expired.ok()) {
            events.emplace_back(EngineError{EngineError::Kind::kLocal, expired.error().code,
                                            expired.error().message});
          }
          (void)DeleteRetiredMailboxesLocked();
        }
        flush = FlushLocked();
        if (rescan) {
          auto stored = store::ListMailboxes(profile_.db());
          if (!stored.ok()) {
            listed = stored.error();
          } else {
            std::set<int64_t> rows{};
            for (const auto& m : *stored) {
              rows.insert(m.row);
              if (m.has_pending_ticket || subscribed.count(m.row) != 0) continue;
              fresh.push_back(MailboxRef{m.row, m.relay, m.mailbox_id,
                                         crypto::Ed25519KeyPairFromSeed(m.owner_seed.span())});
            }
            // Retired since the last rescan (a confirmed, declined or
            // expired re-pairing): stop watching it.
            for (auto it = subscribed.begin(); it != subscribed.end();) {
              if (rows.count(it->first) != 0) {
                ++it;
                continue;
              }
              gone.push_back(it->second);
              it = subscribed.erase(it);
            }
          }
        }
      }
      flush_needed = false;
      if (rescan) next_rescan = Steady::now() + options.rescan;
      if (!flush.pending_reason.empty() && flush.pending_reason != last_pending_reason) {
        events.emplace_back(EngineError{EngineError::Kind::kStillQueued, ErrorCode::kIoError,
                                        flush.pending_reason});
      }
      last_pending_reason = flush.pending_reason;
      if (!listed.ok()) {
        events.emplace_back(
            EngineError{EngineError::Kind::kLocal, listed.error().code, listed.error().message});
      }
      for (const auto& [link_key, id] : gone) {
        auto link = links.find(link_key);
        if (link != links.end()) link->second.relay->RemoveSubscription(id);
      }
      if (rescan && listed.ok()) {
        if (gone.empty()) events.insert(events.end(), held_refusals.begin(), held_refusals.end());
        held_refusals.clear();
      }
      for (const MailboxRef& m : fresh) {
        const size_t chunk = per_relay_count[KeyOf(m.relay)]++ / kMaxSubscriptionsPerConnection;
        const std::pair<RelayKey, size_t> link_key{KeyOf(m.relay), chunk};
        Link& link = links[link_key];
        if (!link.relay) {
          link.name = RelayName(m.relay);
          link.relay = std::make_unique<net::ReconnectingRelay>(ToEndpoint(m.relay),
                                                                options.reconnect, random_);
          events.emplace_back(ConnectionChanged{link.name, ConnectionState::kConnecting, ""});
        }
        Status s = link.relay->AddSubscription(m.id, m.owner);
        if (!s.ok()) {
          events.emplace_back(EngineError{EngineError::Kind::kLocal, s.error().code,
                                          "cannot watch a mailbox: " + s.error().message});
          continue;
        }
        subscribed.emplace(m.row, std::make_pair(link_key, m.id));
      }
    }
    EmitAll(events);
    events.clear();
    if (links.empty()) {
      // Nothing to watch yet (a fresh profile): wait for the next rescan.
      const auto wake = std::min(next_rescan, Steady::now() + options.poll);
      while (!bg_stop_.load() && Steady::now() < wake) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      continue;
    }
    const auto slice =
        std::max(options.poll / static_cast<int>(links.size()), std::chrono::milliseconds(20));
    for (auto& [key, link] : links) {
      if (bg_stop_.load()) break;
      auto delivery = link.relay->NextDelivery(slice);
      const bool now_connected = link.relay->connected();
      if (now_connected != link.connected) {
        link.connected = now_connected;
        events.emplace_back(ConnectionChanged{
            link.name, now_connected ? ConnectionState::kConnected : ConnectionState::kDisconnected,
            delivery.ok() ? "" : delivery.error().message});
      }
      if (!delivery.ok()) {
        EngineError refused{EngineError::Kind::kLocal, delivery.error().code,
                            delivery.error().message};
        if (delivery.error().code == ErrorCode::kAuthFailed ||
            delivery.error().code == ErrorCode::kNotFound) {
          // A subscription refused (the relay does not say whether the
          // mailbox is gone or the key wrong): maybe retired by another
          // process. The rescan, now, decides.
          held_refusals.emplace_back(std::move(refused));
          next_rescan = Steady::now();
        } else {
          events.emplace_back(std::move(refused));
        }
        continue;
      }
      if (!*delivery) continue;
      // This delivery and any already waiting behind it (a burst): each is
      // committed with its receipt, shown and acked at once; the receipts go
      // out together afterwards in one upload.
      std::optional<net::Delivery> next = std::move(*delivery);
      while (next) {
        SyncReport counted;
        Status processed = Status::Ok();
        bool keep_on_relay = false;
        {
          std::lock_guard lock(mu_);
          processed = ProcessDeliveryLocked(*next, counted, events, keep_on_relay);
        }
        if (!processed.ok()) {
          // Not acked: the relay delivers it again after a reconnect.
          events.emplace_back(EngineError{EngineError::Kind::kLocal, processed.error().code,
                                          processed.error().message});
          break;
        }
        // Committed: the front end sees it now, before the ack and receipt.
        EmitAll(events);
        events.clear();
        // An ack lost to a reconnect only means a redelivery, which the
        // processed-hash table recognises.
        if (!keep_on_relay) (void)link.relay->Ack(next->mailbox_id, next->message_id);
        if (counted.new_messages + counted.paired > 0) flush_needed = true;  // receipts, settings
        // A pairing may have created nothing to subscribe to, but a new
        // contact's mailbox is already ours; rescan for invitations soon.
        if (counted.paired > 0) next_rescan = Steady::now();
        if (bg_stop_.load()) break;
        auto waiting = link.relay->NextDelivery(std::chrono::milliseconds(0));
        if (!waiting.ok() || !*waiting) break;
        next = std::move(*waiting);
      }
    }
    EmitAll(events);
  }
}

}  // namespace attune::client
