// RelayServer: the Asio side of attune-relay. Accepts TCP connections, runs
// the Noise NK responder, turns frames into validated requests and hands
// storage work to the GroupCommitter (one fsync per batch of requests).
//
// Threads: everything here runs on the single thread that runs the
// io_context, except the committer's storage thread, whose completions are
// posted back to the io_context. Construct, Listen() and Shutdown() on the
// io thread (or before it runs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "asio/io_context.hpp"
#include "asio/ip/tcp.hpp"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/x25519.h"
#include "attune/relay/server/clock.h"
#include "attune/relay/server/config.h"
#include "attune/relay/store/group_commit.h"

namespace attune::relay {

class ServerState;

class RelayServer {
 public:
  // `io`, `committer` and `reader` must outlive the server and be started.
  // `committer` (Mode::kTransactional) takes every write; `reader`
  // (Mode::kReadOnly, its own database connection) takes message fetches and
  // subscription checks so they never wait behind a commit's fsync. Without a
  // reader, reads go to the committer.
  //
  // `clock` drives every deadline, token bucket, expiry and the purge
  // schedule; `random` the handshakes' ephemeral keys and tickets (it must be
  // thread-safe: tickets are drawn on the storage thread). Both must outlive
  // the server.
  RelayServer(asio::io_context& io, const ServerConfig& config, crypto::X25519KeyPair static_key,
              GroupCommitter& committer, GroupCommitter* reader = nullptr,
              Clock& clock = SystemClock(), crypto::RandomSource& random = crypto::SystemRandom());
  ~RelayServer();
  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;

  // Binds config.listen_address:config.port, starts accepting and the
  // periodic timers (deadline sweep, expiry purge). Returns the bound
  // endpoint (the real port when config.port is 0).
  Result<asio::ip::tcp::endpoint> Listen();

  // Graceful shutdown: stop accepting, answer new requests UNAVAILABLE, wait
  // (at most grace_ms) for queued storage work to commit and replies to be
  // written, then close every connection and stop the timers. `done` runs on
  // the io thread afterwards; the io_context then runs out of work.
  void Shutdown(std::function<void()> done, uint64_t grace_ms = 3000);

  struct Stats {
    uint64_t open_connections = 0;
    uint64_t accepted = 0;
    uint64_t closed = 0;
    uint64_t rejected = 0;  // refused at accept (limits)
    uint64_t handshake_failures = 0;
    uint64_t protocol_errors = 0;  // bad frames, decrypt or parse failures
    uint64_t timeouts = 0;
    uint64_t requests = 0;
    uint64_t deliveries = 0;
  };
  Stats stats() const;

  // Runs the periodic work now (io thread): closes connections whose
  // deadline passed by the clock, starts the expiry purge when it is due and
  // forgets idle source addresses. The server also runs it every 250 ms;
  // tests call it after advancing a ManualClock instead of waiting.
  void Tick();

 private:
  std::unique_ptr<ServerState> state_{};
};

}  // namespace attune::relay
