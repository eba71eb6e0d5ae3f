// Listener, periodic timers (deadline sweep, expiry purge, stats log),
// subscription registry and graceful shutdown.
#include "attune/relay/server/server.h"

#include <algorithm>
#include <string>

#include "asio/co_spawn.hpp"
#include "asio/detached.hpp"
#include "asio/experimental/as_tuple.hpp"
#include "asio/post.hpp"
#include "asio/use_awaitable.hpp"
#include "attune/relay/server/log.h"
#include "server_state.h"

namespace attune::relay {
namespace {

// Deadline resolution: timeouts fire up to this much late. One timer for all
// connections keeps per-connection state small.
constexpr auto kSweepInterval = std::chrono::milliseconds(250);
constexpr auto kStatsInterval = std::chrono::seconds(60);
// After accept() fails for lack of descriptors, wait before retrying so the
// loop does not spin.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

asio::awaitable<void> AcceptLoop(ServerState& s) {
  uint64_t last_accept_warning = 0;
  for (;;) {
    auto [ec, socket] = co_await s.acceptor.async_accept(kTuple);
    if (!s.acceptor.is_open() || s.shutting_down) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of descriptors or memory: say so at most once a second.
      const uint64_t now = s.NowNs();
      if (now - last_accept_warning >= 1000000000ull) {
        last_accept_warning = now;
        Log(LogLevel::kWarn, "accept failed: " + ec.message());
      }
      asio::steady_timer backoff(s.io, kAcceptBackoff);
      co_await backoff.async_wait(kTuple);
      continue;
    }
    // Cheap checks at accept: total connections, connections still in the
    // handshake, connections from this source address.
    std::error_code addr_ec;
    const auto remote = socket.remote_endpoint(addr_ec);
    const AddressKey key = addr_ec ? AddressKey{} : AddressKeyOf(remote.address());
    auto entry = s.addresses.find(key);
    const bool address_full =
        entry != s.addresses.end() &&
        entry->second.connections >= s.config.limits.max_connections_per_address;
    // At the cap on unfinished handshakes the oldest one gives way: a real
    // client finishes within a round trip, so what is old is a half-open
    // connection, and a flood of them never locks new clients out.
    while (s.pending_handshakes >= s.config.limits.max_pending_handshakes &&
           !s.handshake_queue.empty()) {
      auto oldest = s.handshake_queue.front().lock();
      s.handshake_queue.pop_front();
      if (oldest && oldest->handshaking()) oldest->Close(CloseReason::kHandshake);
    }
    if (addr_ec || address_full || s.stats.open_connections >= s.config.limits.max_connections) {
      s.stats.rejected++;
      std::error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (entry == s.addresses.end()) {
      AddressEntry fresh;
      fresh.handshakes = TokenBucket(s.config.limits.handshake_burst_per_address, s.NowNs());
      s.addresses.emplace(key, fresh);
    }
    auto conn = std::make_shared<Connection>(s, std::move(socket), key);
    conn->Start();
    s.handshake_queue.push_back(conn);
  }
}

// Real time drives only how often the clock is looked at; every deadline and
// the purge schedule are read from the injected clock (ServerState::Tick).
asio::awaitable<void> SweepLoop(ServerState& s) {
  for (;;) {
    s.sweep_timer.expires_after(kSweepInterval);
    auto [ec] = co_await s.sweep_timer.async_wait(kTuple);
    if (ec || s.shutting_down) co_return;
    s.Tick();
  }
}

asio::awaitable<void> StatsLoop(ServerState& s) {
  for (;;) {
    s.stats_timer.expires_after(kStatsInterval);
    auto [ec] = co_await s.stats_timer.async_wait(kTuple);
    if (ec || s.shutting_down) co_return;
    const RelayServer::Stats& now = s.stats;
    const RelayServer::Stats& then = s.last_logged;
    if (now.accepted == then.accepted && now.requests == then.requests) continue;
    Log(LogLevel::kInfo, "connections open " + std::to_string(now.open_connections) + ", opened +" +
                             std::to_string(now.accepted - then.accepted) + ", closed +" +
                             std::to_string(now.closed - then.closed) + " (timeouts +" +
                             std::to_string(now.timeouts - then.timeouts) + ", protocol errors +" +
                             std::to_string(now.protocol_errors - then.protocol_errors) +
                             ", failed handshakes +" +
                             std::to_string(now.handshake_failures - then.handshake_failures) +
                             ", refused +" + std::to_string(now.rejected - then.rejected) +
                             "); requests +" + std::to_string(now.requests - then.requests) +
                             ", deliveries +" + std::to_string(now.deliveries - then.deliveries));
    s.last_logged = now;
  }
}

asio::awaitable<void> ShutdownLoop(ServerState& s, std::function<void()> done, uint64_t grace_ms) {
  // Real time on purpose: the grace period bounds how long a process exit
  // takes, whatever the injected clock says.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  // Let queued storage work commit and its replies reach the clients.
  while (std::chrono::steady_clock::now() < give_up) {
    bool idle = s.committer.pending() == 0 && s.reader.pending() == 0;
    for (Connection* c = s.first; idle && c != nullptr; c = c->next) {
      idle = c->closed() || c->write_idle();
    }
    if (idle) break;
    s.shutdown_timer.expires_after(std::chrono::milliseconds(20));
    co_await s.shutdown_timer.async_wait(kTuple);
  }
  for (Connection* c = s.first; c != nullptr; c = c->next) c->Close(CloseReason::kShutdown);
  std::error_code ignored;
  s.sweep_timer.cancel();
  s.stats_timer.cancel();
  s.fetch_retry_timer.cancel();
  if (done) done();
}

}  // namespace

// ------------------------------------------------------------ ServerState --

namespace {
// Frames at most this big count as small for the global storage bound.
constexpr size_t kSmallFrameBytes = 2048;
}  // namespace

AddressKey AddressKeyOf(const asio::ip::address& address) {
  AddressKey key{};
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), key.begin());
    return key;
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return AddressKeyOf(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
  const auto b = v6.to_bytes();
  key[15] = 6;  // distinct from every IPv4 key
  std::copy(b.begin(), b.begin() + 8, key.begin() + 4);
  return key;
}

void ServerState::Tick() {
  const uint64_t now = NowNs();
  // CheckDeadlines never frees a Connection synchronously (its coroutines
  // hold it), so walking the list while closing is safe.
  for (Connection* c = first; c != nullptr; c = c->next) c->CheckDeadlines(now);
  // Entries whose connection finished (or failed) its handshake: the sweep
  // just closed every handshake older than the timeout, so what stays is
  // bounded by the accept rate times handshake_timeout_ms.
  while (!handshake_queue.empty()) {
    auto c = handshake_queue.front().lock();
    if (c && c->handshaking()) break;
    handshake_queue.pop_front();
  }

  // Forget addresses with no connection whose bucket has refilled (their
  // entry would be recreated full anyway).
  const double refill_s =
      config.limits.handshake_burst_per_address / config.limits.handshakes_per_second_per_address;
  const auto refill_ns = static_cast<uint64_t>(refill_s * 1e9);
  for (auto it = addresses.begin(); it != addresses.end();) {
    if (it->second.connections == 0 && now - it->second.last_handshake_ns >= refill_ns) {
      it = addresses.erase(it);
    } else {
      ++it;
    }
  }

  const uint64_t unix_now = NowUnix();
  if (purge_running || unix_now < next_purge_unix) return;
  next_purge_unix = unix_now + config.mailbox.purge_interval_seconds;
  purge_running = true;
  asio::io_context* ctx = &io;
  bool* running = &purge_running;
  const bool queued =
      committer.Submit([unix_now, ctx, running](MailboxStore& store) -> GroupCommitter::Completion {
        auto purged = store.PurgeExpired(unix_now, kPurgeBatchRows);
        uint64_t n = purged.ok() ? *purged : 0;
        return [n, ctx, running](const Status& commit) {
          if (!commit.ok()) {
            Log(LogLevel::kWarn, "expiry purge failed: " + commit.error().message);
          } else if (n > 0) {
            Log(LogLevel::kInfo, "purged " + std::to_string(n) + " expired messages");
          }
          asio::post(*ctx, [running] { *running = false; });
        };
      });
  if (!queued) purge_running = false;
}

bool ServerState::StorageAdmits(size_t own_pending, size_t frame_size) const {
  const ConnectionLimits& l = config.limits;
  // Small frames (pings, acks, small sends: what an interactive client sends)
  // are held back only by the operation count, so a flood of 60 KiB sends
  // never makes a well-behaved client wait for admission; their bytes are
  // bounded by count × kSmallFrameBytes.
  if (frame_size <= kSmallFrameBytes) return queued_operations < 2 * l.max_queued_operations;
  if (queued_operations < l.max_queued_operations && queued_bytes < l.max_queued_bytes) {
    return true;
  }
  // Above the bound only connections with nothing in flight get one request
  // in; above twice the bound nobody.
  return own_pending == 0 && queued_operations < 2 * l.max_queued_operations &&
         queued_bytes < 2 * l.max_queued_bytes;
}

void ServerState::OnStorageDone(size_t bytes) {
  queued_operations--;
  queued_bytes -= bytes;
  const ConnectionLimits& l = config.limits;
  // Wake a few per completion: each re-checks and, if still over, queues again.
  constexpr int kWakePerCompletion = 8;
  for (int i = 0; i < kWakePerCompletion && !light_waiters.empty(); ++i) {
    if (queued_operations >= 2 * l.max_queued_operations ||
        queued_bytes >= 2 * l.max_queued_bytes) {
      break;
    }
    auto c = std::move(light_waiters.front());
    light_waiters.pop_front();
    c->set_storage_waiting(false);
    c->ResumeReading();
  }
  for (int i = 0; i < kWakePerCompletion && !heavy_waiters.empty(); ++i) {
    if (queued_operations >= l.max_queued_operations || queued_bytes >= l.max_queued_bytes) {
      break;
    }
    auto c = std::move(heavy_waiters.front());
    heavy_waiters.pop_front();
    c->set_storage_waiting(false);
    c->ResumeReading();
  }
}

void ServerState::Link(Connection* c) {
  c->next = first;
  if (first != nullptr) first->prev = c;
  first = c;
}

void ServerState::Unlink(Connection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (first == c) first = c->next;
  c->prev = c->next = nullptr;
}

void ServerState::AddSubscriber(Subscription* s) {
  auto& v = subscribers[s->mailbox_id];
  v.push_back(s);
  if (v.size() == 1) IndexSubscribed(s->mailbox_id, true);
}

void ServerState::RemoveSubscriber(Subscription* s) {
  auto it = subscribers.find(s->mailbox_id);
  if (it == subscribers.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
  if (v.empty()) {
    subscribers.erase(it);
    IndexSubscribed(s->mailbox_id, false);
  }
}

void ServerState::NotifyNewMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                                   bool tentative) {
  auto it = subscribers.find(id);
  if (it == subscribers.end()) return;
  // Copy: a push can close a connection, which edits the registry. The
  // Subscription objects themselves outlive this loop (see Connection::Close).
  std::vector<Subscription*> subs = it->second;
  for (Subscription* s : subs) s->connection->OnNewMessage(*s, message_id, blob, tentative);
}

void ServerState::EvictSubscribers(const MailboxId& id, Connection* except) {
  auto it = subscribers.find(id);
  if (it == subscribers.end()) return;
  std::vector<Subscription*> subs = it->second;
  for (Subscription* s : subs) {
    if (s->connection != except) s->connection->Close(CloseReason::kEvicted);
  }
}

// ------------------------------------------------------------ RelayServer --

RelayServer::RelayServer(asio::io_context& io, const ServerConfig& config,
                         crypto::X25519KeyPair static_key, GroupCommitter& committer,
                         GroupCommitter* reader, Clock& clock, crypto::RandomSource& random)
    : state_(std::make_unique<ServerState>(io, config, std::move(static_key), committer,
                                           reader != nullptr ? *reader : committer, clock,
                                           random)) {
  // Storage completions run on the io thread, one posted function per batch.
  auto poster = [&io](std::function<void()> f) { asio::post(io, std::move(f)); };
  committer.SetPoster(poster);
  if (reader != nullptr) reader->SetPoster(poster);
}

RelayServer::~RelayServer() {
  // Connections still alive refer to the state; close them first.
  for (Connection* c = state_->first; c != nullptr; c = c->next) c->Close(CloseReason::kShutdown);
}

Result<asio::ip::tcp::endpoint> RelayServer::Listen() {
  ServerState& s = *state_;
  std::error_code ec;
  const auto address = asio::ip::make_address(s.config.listen_address, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "bad listen address");
  const asio::ip::tcp::endpoint endpoint(address, s.config.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(Acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kIoError, "cannot listen on " + s.config.listen_address + ":" +
                                              std::to_string(s.config.port) + ": " + ec.message());
  }
  auto bound = s.acceptor.local_endpoint(ec);
  if (ec) return MakeError(ErrorCode::kIoError, "cannot read the bound address");
  s.handshake_bucket = TokenBucket(s.config.limits.handshake_burst, s.NowNs());
  s.next_purge_unix = s.NowUnix() + s.config.mailbox.purge_interval_seconds;
  asio::co_spawn(s.io, AcceptLoop(s), asio::detached);
  asio::co_spawn(s.io, SweepLoop(s), asio::detached);
  asio::co_spawn(s.io, StatsLoop(s), asio::detached);
  return bound;
}

void RelayServer::Shutdown(std::function<void()> done, uint64_t grace_ms) {
  ServerState& s = *state_;
  if (s.shutting_down) return;
  s.shutting_down = true;
  std::error_code ignored;
  s.acceptor.close(ignored);
  asio::co_spawn(s.io, ShutdownLoop(s, std::move(done), grace_ms), asio::detached);
}

RelayServer::Stats RelayServer::stats() const { return state_->stats; }

void RelayServer::Tick() { state_->Tick(); }

}  // namespace attune::relay
