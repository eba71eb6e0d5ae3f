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

constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
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
      const uint64_t now = SteadyNowNs();
      if (now - last_accept_warning >= 1000000000ull) {
        last_accept_warning = now;
        Log(LogLevel::kWarn, "accept failed: " + ec.message());
      }
      asio::steady_timer backoff(s.io, kAcceptBackoff);
      co_await backoff.async_wait(kTuple);
      continue;
    }
    if (s.stats.open_connections >= s.config.limits.max_connections) {
      s.stats.rejected++;
      std::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto conn = std::make_shared<Connection>(s, std::move(socket));
    conn->Start();
  }
}

asio::awaitable<void> SweepLoop(ServerState& s) {
  for (;;) {
    s.sweep_timer.expires_after(kSweepInterval);
    auto [ec] = co_await s.sweep_timer.async_wait(kTuple);
    if (ec || s.shutting_down) co_return;
    const uint64_t now = SteadyNowNs();
    // CheckDeadlines never frees a Connection synchronously (its coroutines
    // hold it), so walking the list while closing is safe.
    for (Connection* c = s.first; c != nullptr; c = c->next) c->CheckDeadlines(now);
  }
}

asio::awaitable<void> PurgeLoop(ServerState& s) {
  for (;;) {
    s.purge_timer.expires_after(std::chrono::seconds(s.config.mailbox.purge_interval_seconds));
    auto [ec] = co_await s.purge_timer.async_wait(kTuple);
    if (ec || s.shutting_down) co_return;
    s.committer.Submit([](MailboxStore& store) -> GroupCommitter::Completion {
      auto purged = store.PurgeExpired(UnixNow(), kPurgeBatchRows);
      uint64_t n = purged.ok() ? *purged : 0;
      return [n](const Status& commit) {
        if (!commit.ok()) {
          Log(LogLevel::kWarn, "expiry purge failed: " + commit.error().message);
        } else if (n > 0) {
          Log(LogLevel::kInfo, "purged " + std::to_string(n) + " expired messages");
        }
      };
    });
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
  s.purge_timer.cancel();
  s.stats_timer.cancel();
  s.fetch_retry_timer.cancel();
  if (done) done();
}

}  // namespace

// ------------------------------------------------------------ ServerState --

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

void ServerState::NotifyNewMessage(const MailboxId& id, uint64_t message_id, const Blob& blob) {
  auto it = subscribers.find(id);
  if (it == subscribers.end()) return;
  // Copy: a push can close a connection, which edits the registry. The
  // Subscription objects themselves outlive this loop (see Connection::Close).
  std::vector<Subscription*> subs = it->second;
  for (Subscription* s : subs) s->connection->OnNewMessage(*s, message_id, blob);
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
                         GroupCommitter* reader)
    : state_(std::make_unique<ServerState>(io, config, std::move(static_key), committer,
                                           reader != nullptr ? *reader : committer)) {}

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
  s.handshake_bucket = TokenBucket(s.config.limits.handshake_burst, SteadyNowNs());
  asio::co_spawn(s.io, AcceptLoop(s), asio::detached);
  asio::co_spawn(s.io, SweepLoop(s), asio::detached);
  asio::co_spawn(s.io, PurgeLoop(s), asio::detached);
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

}  // namespace attune::relay
