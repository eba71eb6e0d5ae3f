// Internal to attune_relay_server: the state shared by the listener and all
// connections, and the Connection class. Everything here is touched only on
// the io thread (see server.h).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <optional>
#include <unordered_map>
#include <vector>

#include "asio/awaitable.hpp"
#include "asio/experimental/as_tuple.hpp"
#include "asio/io_context.hpp"
#include "asio/ip/tcp.hpp"
#include "asio/steady_timer.hpp"
#include "asio/use_awaitable.hpp"
#include "attune/crypto/random.h"
#include "attune/crypto/x25519.h"
#include "attune/mailbox/request.h"
#include "attune/noise/handshake.h"
#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/core/token_bucket.h"
#include "attune/relay/server/clock.h"
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
// `co_await op(kTuple)` returns the error code with the results instead of
// throwing it: the coroutines handle every error where it happens.
inline constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

// Delivery state of one mailbox subscribed on one connection.
struct Subscription {
  MailboxId mailbox_id{};
  Connection* connection = nullptr;
  bool active = false;          // authorized (false while the check is pending)
  bool fetch_pending = false;   // a FetchMessages is queued at the committer
  bool more_available = false;  // the store may hold messages not yet pushed
  uint64_t last_delivered = 0;  // highest message id pushed on this subscription
  // The owner key the subscribe was verified with (set when it turns
  // active; a rotation through this connection updates it). A cluster node
  // compares it with the store's after it may have missed an eviction.
  OwnerKey owner_key{};
  // Ids pushed and not yet acked, oldest first; <= delivery_window entries.
  // An ack removes its id at once (its slot is free while the deletion waits
  // for the next group commit): delivery never waits for an fsync, and since
  // fetches resume after last_delivered, an acked id is never pushed again on
  // this subscription even before its deletion is durable.
  std::vector<uint64_t> in_flight{};
};

struct MailboxIdHash {
  template <size_t N>
  size_t operator()(const ByteArray<N>& id) const {
    static_assert(N >= sizeof(size_t));
    size_t h = 0;
    std::memcpy(&h, id.data(), sizeof h);  // ids and tags are uniformly random
    return h;
  }
};

// Why a connection ended (counted in stats, logged at debug).
enum class CloseReason {
  kPeer,
  kTimeout,
  kProtocol,
  kHandshake,
  kSlowReader,
  kEvicted,
  kShutdown,
  kStorage,
};
const char* CloseReasonName(CloseReason reason);

// A source address as the per-address limits see it: an IPv4 address, or the
// /64 of an IPv6 address (one subscriber's usual allocation). Held in memory
// only, never logged.
using AddressKey = std::array<uint8_t, 16>;
AddressKey AddressKeyOf(const asio::ip::address& address);
struct AddressKeyHash {
  size_t operator()(const AddressKey& k) const {
    size_t h = 1469598103934665603ull;
    for (uint8_t b : k) h = (h ^ b) * 1099511628211ull;
    return h;
  }
};
struct AddressEntry {
  uint32_t connections = 0;
  TokenBucket handshakes{};
  uint64_t last_handshake_ns = 0;
};

// The relay's static key in sodium_malloc'd memory (guard pages, mlock'd,
// wiped by sodium_free), as SECURITY.md promises for long-lived keys. The
// caller's copy is wiped by the move that brings it here.
class LockedKeyPair {
 public:
  explicit LockedKeyPair(crypto::X25519KeyPair key)
      : pair_(new (crypto::SecureAlloc(sizeof(crypto::X25519KeyPair)))
                  crypto::X25519KeyPair(std::move(key))) {}
  ~LockedKeyPair() {
    pair_->~X25519KeyPair();  // wipes the private key
    crypto::SecureFree(pair_);
  }
  LockedKeyPair(const LockedKeyPair&) = delete;
  LockedKeyPair& operator=(const LockedKeyPair&) = delete;
  const crypto::X25519KeyPair& get() const { return *pair_; }

 private:
  // sodium_malloc aligns only allocations whose size is a multiple of the
  // alignment.
  static_assert(sizeof(crypto::X25519KeyPair) % alignof(crypto::X25519KeyPair) == 0);
  crypto::X25519KeyPair* pair_ = nullptr;
};

class ServerState {
 public:
  ServerState(asio::io_context& io, const ServerConfig& config, crypto::X25519KeyPair key,
              GroupCommitter& committer, GroupCommitter& reader, Clock& clock,
              crypto::RandomSource& random)
      : io(io),
        config(config),
        static_key(std::move(key)),
        committer(committer),
        reader(reader),
        clock(clock),
        random(random),
        acceptor(io.get_executor()),
        sweep_timer(io),
        stats_timer(io),
        shutdown_timer(io) {}

  asio::io_context& io;
  const ServerConfig config{};
  const LockedKeyPair static_key;
  GroupCommitter& committer;  // writes
  GroupCommitter& reader;     // fetches and subscription checks
  Clock& clock;
  crypto::RandomSource& random;  // thread-safe: also used on the storage thread
  Acceptor acceptor;
  asio::steady_timer sweep_timer;
  asio::steady_timer stats_timer;
  asio::steady_timer shutdown_timer;
  TokenBucket handshake_bucket{};
  bool shutting_down = false;
  RelayServer::Stats stats{};
  RelayServer::Stats last_logged{};
  uint64_t next_purge_unix = 0;  // when the next expiry purge is due (clock)
  bool purge_running = false;

  uint64_t NowNs() const { return clock.SteadyNs(); }
  uint64_t NowUnix() const { return clock.UnixSeconds(); }

  // Deadline sweep, expiry purge when due, address-table pruning.
  void Tick();

  // Per-address limits. Entries live while the address has connections or
  // its handshake bucket is refilling.
  std::unordered_map<AddressKey, AddressEntry, AddressKeyHash> addresses{};
  size_t pending_handshakes = 0;  // accepted connections still in the handshake
  // Connections in accept order, for evicting the oldest unfinished
  // handshake at max_pending_handshakes (stale entries skipped lazily).
  std::deque<std::weak_ptr<Connection>> handshake_queue{};

  // Global bound on storage work (section 5). Counted on the io thread at
  // submission and completion.
  size_t queued_operations = 0;
  size_t queued_bytes = 0;
  // May a connection with `own_pending` storage operations in flight handle
  // its next frame (of `frame_size` bytes) now?
  bool StorageAdmits(size_t own_pending, size_t frame_size) const;
  // Connections whose reader stopped on the global bound, woken as storage
  // work completes: light ones (nothing in flight) below twice the bound,
  // heavy ones below the bound.
  std::deque<std::shared_ptr<Connection>> light_waiters{};
  std::deque<std::shared_ptr<Connection>> heavy_waiters{};
  void OnStorageDone(size_t bytes);

  // Intrusive list of live connections (for the deadline sweep and shutdown).
  Connection* first = nullptr;
  void Link(Connection* c);
  void Unlink(Connection* c);

  // Active subscriptions by mailbox, for pushing new messages.
  std::unordered_map<MailboxId, std::vector<Subscription*>, MailboxIdHash> subscribers{};
  void AddSubscriber(Subscription* s);
  void RemoveSubscriber(Subscription* s);
  // After a commit stored message_id in mailbox_id.
  void NotifyNewMessage(const MailboxId& id, uint64_t message_id, const Blob& blob,
                        bool tentative = false);
  // Closes every connection other than `except` subscribed to `id`.
  void EvictSubscribers(const MailboxId& id, Connection* except);

  // Cluster mode (cross_node.cc): the notifier, and the tags of the
  // mailboxes subscribed here (kept by AddSubscriber/RemoveSubscriber).
  MailboxNotifier* notifier = nullptr;
  std::unordered_map<MailboxTag, MailboxId, MailboxIdHash> subscribed_tags{};
  void IndexSubscribed(const MailboxId& id, bool subscribed);
  // Another node stored messages in the mailbox with `tag`.
  void OnRemoteMessages(const MailboxTag& tag);
  // Another node rotated or deleted the mailbox with this tag: its
  // subscribers here authenticated with a key that no longer owns it.
  void OnRemoteEviction(const MailboxTag& tag);
  // Notifications were lost: every subscription may have missed messages,
  // and rotations or deletions (RecheckOwners).
  void OnMissedNotifications();
  // Every subscription fetches (may hold messages no event announced).
  void RefetchAll();
  // Reads the owner key of every mailbox subscribed here (active or being
  // authorized) and closes the subscribers whose key no longer owns it or
  // whose mailbox is gone, as a live eviction would. Retried with the
  // fetches while the store does not answer.
  void RecheckOwners();
  // Closes the subscribers of `id` not subscribed with `key` (all of them
  // when the mailbox is gone).
  void CloseStaleSubscribers(const MailboxId& id, const std::optional<OwnerKey>& key);
  // A fetch failed (storage unreachable): every subscription fetches again
  // after kFetchRetryDelay, until the store answers.
  void RetryFetchesSoon();
  static constexpr std::chrono::milliseconds kFetchRetryDelay{500};
  // Mailboxes read per storage operation of RecheckOwners (keeps each one
  // short, so fetches queued behind it wait little).
  static constexpr size_t kRecheckChunk = 64;
  asio::steady_timer fetch_retry_timer{io};
  bool fetch_retry_armed = false;
  bool owners_unverified = false;  // a RecheckOwners is due (or failed)
  size_t recheck_running = 0;      // its storage operations in flight
  bool recheck_again = false;      // notifications were missed during one
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerState& server, Socket socket, const AddressKey& address);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  void Close(CloseReason reason);
  // Stops reading; closes once the queued frames are written (so a final
  // BAD_REQUEST reaches the client).
  void CloseAfterFlush(CloseReason reason);
  bool closed() const { return closed_; }
  bool handshaking() const { return !closed_ && handshaking_; }

  // Deadline sweep: closes the connection when a deadline passed.
  void CheckDeadlines(uint64_t now_ns);
  // Restarts the reader after backpressure stopped it (no-op when it runs).
  void ResumeReading();
  void set_storage_waiting(bool waiting) { storage_waiting_ = waiting; }
  bool write_idle() const { return wqueue_bytes_ == 0; }

  // Subscription pushes (called via ServerState).
  // `tentative`: announced while its commit is in flight (pushed only when
  // the subscription is caught up; the committed notification follows).
  void OnNewMessage(Subscription& sub, uint64_t message_id, const Blob& blob,
                    bool tentative = false);
  // The store may hold messages for `sub` that no local commit announced
  // (another node stored them): fetch when the window allows.
  void OnMailboxChanged(Subscription& sub);
  // Appends the mailbox ids of this connection's subscriptions, also those
  // whose authorization is still pending (cross_node.cc).
  void AppendSubscribedIds(std::vector<MailboxId>& out) const;

  Connection* prev = nullptr;
  Connection* next = nullptr;

 private:
  asio::awaitable<void> Reader(std::shared_ptr<Connection> self);
  // Waits for readability with a plain callback, not in the Reader, which
  // ends meanwhile: the callback starts a new Reader. So an idle connection
  // holds no coroutine frames (~1 KiB), only the wait.
  void WaitReadableIdle();
  // Writes out_ without waiting while the socket takes it; when it is full,
  // hands the rest to the Writer coroutine. So an idle connection holds no
  // writer coroutine, timer or buffers, and at most one write is in flight.
  void Flush();
  // Started by Flush when the socket is full; ends when everything queued is
  // written.
  asio::awaitable<void> Writer(std::shared_ptr<Connection> self);
  // Makes room for `want` more bytes after rlen_ in the read buffer.
  void ReserveRead(size_t want);
  void ReleaseBuffersIfIdle();

  // Frame extraction from rbuf_: a complete frame, nullopt if more bytes are
  // needed; sets protocol_error_ on a bad length.
  std::optional<ByteView> NextFrame();
  // True when this connection must not read another request now (its write
  // queue is full, its storage work is at max_pending_requests, or the
  // global storage bound is reached); the reader then stops, and whoever
  // frees the resource calls ResumeReading().
  bool MustPauseReading(size_t frame_size);
  void ConsumeFrame(size_t frame_len);
  bool HandleHandshake(ByteView message);
  void HandleFrame(ByteView ciphertext);
  void HandleRequest(ValidatedRequest request);

  void Respond(uint64_t request_id, const Outcome& outcome);
  void RespondCode(uint64_t request_id, Code code, const char* message);
  void SendPlaintext(std::string& plaintext, bool wipe);
  // Appends one frame (header + `message`) to the output.
  void EnqueueFrame(ByteView message);

  // Submits `work` to `queue` (the committer or the reader); `done` runs on
  // the io thread with the outcome once the batch holding it committed (or
  // failed).
  template <typename Work, typename Done>
  // `bytes` is what the operation counts against the global storage bound.
  void SubmitStorage(GroupCommitter& queue, uint64_t request_id, Work work, Done done,
                     size_t bytes);

  // Owner-signed writes (DeleteMailbox, RotateMailbox; mailbox_logic.h) in
  // two steps, so the committer's thread never verifies a signature:
  // `check(store)` runs on the reader and returns an OwnerCheck; if it
  // passed, `commit(store, verified_owner_key)` runs on the committer;
  // `committed(connection, outcome)` then runs on the io thread and answers.
  template <typename Check, typename Commit, typename Committed>
  void CheckThenCommit(uint64_t request_id, Check check, Commit commit, Committed committed);

  Subscription* FindSubscription(const MailboxId& id);
  void RemoveSubscription(Subscription* sub);
  void MaybeFetch(Subscription& sub);
  void PushDelivery(Subscription& sub, uint64_t message_id, const Blob& blob);
  void OnWriteDrained();
  // Lets every subscription fetch with the credit left, round-robin.
  void RefillSubscriptions();
  // Unwritten bytes a push may still add (write-queue credit).
  size_t DeliveryCredit() const;
  // Storage completion bookkeeping (io thread).
  void OnStorageCompleted(size_t bytes);

  ServerState& server_;
  Socket socket_;
  std::optional<noise::TransportSession> session_{};
  // Read buffer: uninitialised storage of rcap_ bytes, unread stream bytes in
  // [rpos_, rlen_). Grows to fit a whole frame; freed when empty while the
  // connection is idle (see Reader).
  std::unique_ptr<uint8_t[]> rbuf_{};
  size_t rcap_ = 0;
  size_t rlen_ = 0;
  size_t rpos_ = 0;
  // An active connection keeps its read buffer and has a read posted on it,
  // so the reactor reads as soon as data arrives (one recv per arrival, no
  // re-arm); an idle one only waits for readability and holds no buffer.
  bool active_ = false;
  bool going_idle_ = false;    // the sweep cancelled the posted read to go idle
  bool idle_waiting_ = false;  // WaitReadableIdle's wait is pending (reading_ stays set)
  bool readable_ = false;      // that wait completed: the new Reader reads at once
  uint64_t last_frame_ns_ = 0;
  // Output: frames are appended to out_ while requests and completions are
  // handled, and written in one go by Flush() (posted once per round), so an
  // ack's OK and the next delivery leave in one write. sending_[spos_..] is
  // what the Writer coroutine is writing when the socket was full.
  Bytes out_{};
  Bytes sending_{};
  size_t spos_ = 0;
  bool flush_posted_ = false;
  size_t wqueue_bytes_ = 0;  // unwritten bytes: out_ + rest of sending_
  uint64_t deadline_ns_ = 0;
  uint64_t write_progress_ns_ = 0;  // last progress of the write in flight; 0 when none
  size_t delivery_reserved_ = 0;    // credit held by fetches in flight
  size_t next_sub_ = 0;             // round-robin start for refilling subscriptions
  AddressKey address_{};
  TokenBucket requests_{};
  uint32_t pending_requests_ = 0;
  std::vector<std::unique_ptr<Subscription>> subs_{};
  bool closed_ = false;
  bool protocol_error_ = false;
  bool draining_ = false;         // CloseAfterFlush called
  bool writing_ = false;          // a Writer coroutine is running
  bool reading_ = false;          // a Reader coroutine, or its idle wait, is running
  bool handshaking_ = true;       // counted in ServerState::pending_handshakes
  bool storage_waiting_ = false;  // queued in ServerState's storage waiters
  CloseReason drain_reason_ = CloseReason::kProtocol;
};

}  // namespace attune::relay
