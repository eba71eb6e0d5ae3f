// Internal to attune_relay_server: the state shared by the listener and all
// connections, and the Connection class. Everything here is touched only on
// the io thread (see server.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "asio/awaitable.hpp"
#include "asio/io_context.hpp"
#include "asio/ip/tcp.hpp"
#include "asio/steady_timer.hpp"
#include "attune/crypto/x25519.h"
#include "attune/noise/handshake.h"
#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/core/request.h"
#include "attune/relay/core/token_bucket.h"
#include "attune/relay/server/config.h"
#include "attune/relay/server/server.h"
#include "attune/relay/store/group_commit.h"

namespace attune::relay {

class Connection;

// Sockets bound to the io_context's own executor type: 40 bytes smaller per
// connection than the type-erased default, which matters at 10,000 idle
// connections.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, Executor>;

inline uint64_t SteadyNowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}
inline uint64_t UnixNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Delivery state of one mailbox subscribed on one connection.
struct Subscription {
  MailboxId mailbox_id{};
  Connection* connection = nullptr;
  bool active = false;          // authorized (false while the check is pending)
  bool fetch_pending = false;   // a FetchMessages is queued at the committer
  bool more_available = false;  // the store may hold messages not yet pushed
  uint64_t last_delivered = 0;  // highest message id pushed on this subscription
  // Ids pushed and not yet acked, oldest first; <= delivery_window entries.
  // An ack removes its id at once (its slot is free while the deletion waits
  // for the next group commit): delivery never waits for an fsync, and since
  // fetches resume after last_delivered, an acked id is never pushed again on
  // this subscription even before its deletion is durable.
  std::vector<uint64_t> in_flight{};
};

struct MailboxIdHash {
  size_t operator()(const MailboxId& id) const {
    size_t h;
    std::memcpy(&h, id.data(), sizeof h);  // ids are uniformly random
    return h;
  }
};

// Why a connection ended (counted in stats, logged at debug).
enum class CloseReason { kPeer, kTimeout, kProtocol, kHandshake, kSlowReader, kEvicted, kShutdown };

class ServerState {
 public:
  ServerState(asio::io_context& io, const ServerConfig& config, crypto::X25519KeyPair key,
              GroupCommitter& committer, GroupCommitter& reader)
      : io(io),
        config(config),
        static_key(std::move(key)),
        committer(committer),
        reader(reader),
        acceptor(io.get_executor()),
        sweep_timer(io),
        purge_timer(io),
        stats_timer(io),
        shutdown_timer(io) {}

  asio::io_context& io;
  const ServerConfig config{};
  const crypto::X25519KeyPair static_key{};
  GroupCommitter& committer;  // writes
  GroupCommitter& reader;     // fetches and subscription checks
  Acceptor acceptor;
  asio::steady_timer sweep_timer;
  asio::steady_timer purge_timer;
  asio::steady_timer stats_timer;
  asio::steady_timer shutdown_timer;
  TokenBucket handshake_bucket{};
  bool shutting_down = false;
  RelayServer::Stats stats{};
  RelayServer::Stats last_logged{};

  // Intrusive list of live connections (for the deadline sweep and shutdown).
  Connection* first = nullptr;
  void Link(Connection* c);
  void Unlink(Connection* c);

  // Active subscriptions by mailbox, for pushing new messages.
  std::unordered_map<MailboxId, std::vector<Subscription*>, MailboxIdHash> subscribers{};
  void AddSubscriber(Subscription* s);
  void RemoveSubscriber(Subscription* s);
  // After a commit stored message_id in mailbox_id.
  void NotifyNewMessage(const MailboxId& id, uint64_t message_id, const Blob& blob);
  // Closes every connection other than `except` subscribed to `id`.
  void EvictSubscribers(const MailboxId& id, Connection* except);
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerState& server, Socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  void Close(CloseReason reason);
  // Stops reading; closes once the queued frames are written (so a final
  // BAD_REQUEST reaches the client).
  void CloseAfterFlush(CloseReason reason);
  bool closed() const { return closed_; }

  // Deadline sweep: closes the connection when a deadline passed.
  void CheckDeadlines(uint64_t now_ns);
  bool write_idle() const { return wqueue_bytes_ == 0; }

  // Subscription pushes (called via ServerState).
  void OnNewMessage(Subscription& sub, uint64_t message_id, const Blob& blob);

  Connection* prev = nullptr;
  Connection* next = nullptr;

 private:
  asio::awaitable<void> Reader(std::shared_ptr<Connection> self);
  // Started by EnqueueFrame when frames wait and no writer runs; ends when
  // the queue is empty. So at most one write is ever in flight, and an idle
  // connection holds no writer coroutine, timer or buffers.
  asio::awaitable<void> Writer(std::shared_ptr<Connection> self);

  // Frame extraction from rbuf_: a complete frame, nullopt if more bytes are
  // needed; sets protocol_error_ on a bad length.
  std::optional<ByteView> NextFrame();
  void ConsumeFrame(size_t frame_len);
  bool HandleHandshake(ByteView message);
  void HandleFrame(ByteView ciphertext);
  void HandleRequest(ValidatedRequest request);

  void Respond(uint64_t request_id, const Outcome& outcome);
  void RespondCode(uint64_t request_id, Code code, const char* message);
  void SendPlaintext(std::string& plaintext, bool wipe);
  void EnqueueFrame(Bytes frame);

  // Submits `work` to `queue` (the committer or the reader); `done` runs on
  // the io thread with the outcome once the batch holding it committed (or
  // failed).
  template <typename Work, typename Done>
  void SubmitStorage(GroupCommitter& queue, uint64_t request_id, Work work, Done done);

  Subscription* FindSubscription(const MailboxId& id);
  void RemoveSubscription(Subscription* sub);
  void MaybeFetch(Subscription& sub);
  void PushDelivery(Subscription& sub, uint64_t message_id, const Blob& blob);
  void OnWriteDrained();

  ServerState& server_;
  Socket socket_;
  std::optional<noise::TransportSession> session_{};
  Bytes rbuf_{};     // unread stream bytes; grows on demand, freed when empty
  size_t rpos_ = 0;  // start of unconsumed bytes in rbuf_
  std::vector<Bytes> wqueue_{};
  size_t wqueue_bytes_ = 0;  // queued + being written
  uint64_t deadline_ns_ = 0;
  uint64_t write_started_ns_ = 0;  // 0 when no write is in progress
  TokenBucket requests_{};
  uint32_t pending_requests_ = 0;
  uint32_t rate_limited_streak_ = 0;
  std::vector<std::unique_ptr<Subscription>> subs_{};
  bool closed_ = false;
  bool protocol_error_ = false;
  bool draining_ = false;  // CloseAfterFlush called
  bool writing_ = false;   // a Writer coroutine is running
  CloseReason drain_reason_ = CloseReason::kProtocol;
};

}  // namespace attune::relay
