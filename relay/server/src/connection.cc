// One client connection in the shape of Asio's cpp20 chat_server example: a
// reader coroutine, a writer coroutine and a bounded write queue between
// them; deadlines enforced by the server's sweep timer; error codes instead
// of exceptions. Unlike the example, the writer exists only while frames are
// queued (EnqueueFrame starts it), so an idle connection costs ~1.8 KiB: no
// writer frame, no wake-up timer, no buffers.
//
// Order of checks on every frame (docs/PROTOCOL.md (part mailbox) §2): length (while
// reading the header), decryption, parsing and validation, rate, then the
// request itself (authorization happens inside the storage operation).
#include <algorithm>
#include <span>
#include <string>

#include "asio/co_spawn.hpp"
#include "asio/detached.hpp"
#include "asio/experimental/as_tuple.hpp"
#include "asio/use_awaitable.hpp"
#include "asio/write.hpp"
#include "attune/crypto/random.h"
#include "attune/noise/framing.h"
#include "attune/relay/server/log.h"
#include "relay.pb.h"
#include "server_state.h"

namespace attune::relay {
namespace {

namespace pb = attune::relay::v1;

constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
// Smallest read chunk; the buffer grows to fit a whole frame when needed.
constexpr size_t kReadChunk = 4096;

pb::Response::Code ToProto(Code code) {
  switch (code) {
    case Code::kOk:
      return pb::Response::OK;
    case Code::kBadRequest:
      return pb::Response::BAD_REQUEST;
    case Code::kUnauthorized:
      return pb::Response::UNAUTHORIZED;
    case Code::kNotFound:
      return pb::Response::NOT_FOUND;
    case Code::kAlreadyExists:
      return pb::Response::ALREADY_EXISTS;
    case Code::kQuotaExceeded:
      return pb::Response::QUOTA_EXCEEDED;
    case Code::kRateLimited:
      return pb::Response::RATE_LIMITED;
    case Code::kUnavailable:
      return pb::Response::UNAVAILABLE;
  }
  return pb::Response::CODE_UNSPECIFIED;
}

}  // namespace

const char* CloseReasonName(CloseReason reason) {
  switch (reason) {
    case CloseReason::kPeer:
      return "closed by the peer or a socket error";
    case CloseReason::kTimeout:
      return "deadline passed";
    case CloseReason::kProtocol:
      return "protocol error";
    case CloseReason::kHandshake:
      return "handshake failed";
    case CloseReason::kSlowReader:
      return "write timeout: client not reading";
    case CloseReason::kEvicted:
      return "evicted: mailbox deleted or rotated";
    case CloseReason::kShutdown:
      return "shutdown";
    case CloseReason::kStorage:
      return "storage error";
  }
  return "unknown";
}

Connection::Connection(ServerState& server, Socket socket, const AddressKey& address)
    : server_(server), socket_(std::move(socket)), address_(address) {
  server_.Link(this);
}

Connection::~Connection() { server_.Unlink(this); }

void Connection::Start() {
  const uint64_t now = server_.NowNs();
  deadline_ns_ = now + server_.config.limits.handshake_timeout_ms * 1000000ull;
  requests_ = TokenBucket(server_.config.limits.request_burst, now);
  std::error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  server_.stats.accepted++;
  server_.stats.open_connections++;
  server_.pending_handshakes++;
  server_.addresses[address_].connections++;
  reading_ = true;
  asio::co_spawn(server_.io, Reader(shared_from_this()), asio::detached);
}

void Connection::Close(CloseReason reason) {
  if (closed_) return;
  closed_ = true;
  switch (reason) {
    case CloseReason::kTimeout:
    case CloseReason::kSlowReader:
      server_.stats.timeouts++;
      break;
    case CloseReason::kProtocol:
      server_.stats.protocol_errors++;
      break;
    case CloseReason::kHandshake:
      server_.stats.handshake_failures++;
      break;
    default:
      break;
  }
  // Section 6: every close reason at debug level, never ids or addresses.
  if (LogEnabled(LogLevel::kDebug)) {
    Log(LogLevel::kDebug, std::string("connection closed: ") + CloseReasonName(reason));
  }
  server_.stats.closed++;
  server_.stats.open_connections--;
  if (handshaking_) {
    handshaking_ = false;
    server_.pending_handshakes--;
  }
  auto entry = server_.addresses.find(address_);
  if (entry != server_.addresses.end() && entry->second.connections > 0) {
    entry->second.connections--;
  }
  // Subscriptions are unregistered but not freed here: a push loop over the
  // registry may still hold pointers to them (they die with the object).
  for (auto& sub : subs_) {
    if (sub->active) server_.RemoveSubscriber(sub.get());
    sub->active = false;
  }
  std::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
  // Release buffers now; the object itself lives until the coroutines and
  // any storage completions holding it have finished.
  Bytes().swap(rbuf_);
  std::vector<Bytes>().swap(wqueue_);
  wqueue_bytes_ = 0;
  session_.reset();
}

void Connection::CloseAfterFlush(CloseReason reason) {
  if (closed_ || draining_) return;
  draining_ = true;
  drain_reason_ = reason;
  if (wqueue_bytes_ == 0) Close(reason);
}

void Connection::CheckDeadlines(uint64_t now_ns) {
  if (closed_) return;
  // A reader stopped by our own backpressure is not idle: its deadline
  // counts from when it may read again.
  if (!reading_ && session_) {
    deadline_ns_ = now_ns + server_.config.limits.idle_timeout_seconds * 1000000000ull;
  }
  if (now_ns >= deadline_ns_) {
    Close(CloseReason::kTimeout);
    return;
  }
  // Only a write that makes no progress for write_timeout_seconds counts: a
  // slow client that keeps reading is never cut off.
  if (write_progress_ns_ != 0 &&
      now_ns - write_progress_ns_ >= server_.config.limits.write_timeout_seconds * 1000000000ull) {
    Close(CloseReason::kSlowReader);
  }
}

void Connection::ResumeReading() {
  if (closed_ || draining_ || reading_ || storage_waiting_) return;
  reading_ = true;
  asio::co_spawn(server_.io, Reader(shared_from_this()), asio::detached);
}

bool Connection::MustPauseReading(size_t frame_size) {
  const ConnectionLimits& limits = server_.config.limits;
  if (wqueue_bytes_ >= limits.max_write_queue_bytes) return true;  // Writer resumes
  if (!session_) return false;
  if (pending_requests_ >= limits.max_pending_requests) return true;  // completion resumes
  if (!server_.StorageAdmits(pending_requests_, frame_size)) {
    storage_waiting_ = true;
    auto& waiters = pending_requests_ == 0 ? server_.light_waiters : server_.heavy_waiters;
    waiters.push_back(shared_from_this());
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- reading --

std::optional<ByteView> Connection::NextFrame() {
  const size_t avail = rbuf_.size() - rpos_;
  if (avail < noise::kFrameHeaderSize) return std::nullopt;
  const size_t len = ReadU16BE(rbuf_.data() + rpos_);
  // Before the handshake only message 1 (48 bytes) is acceptable, so a
  // half-open connection never makes the relay buffer more than 50 bytes.
  const bool bad = session_ ? (len == 0 || len > server_.config.limits.max_frame_size)
                            : len != kHandshakeMessage1Size;
  if (bad) {
    protocol_error_ = true;
    return std::nullopt;
  }
  if (avail < noise::kFrameHeaderSize + len) return std::nullopt;
  return ByteView(rbuf_.data() + rpos_ + noise::kFrameHeaderSize, len);
}

void Connection::ConsumeFrame(size_t frame_len) {
  rpos_ += noise::kFrameHeaderSize + frame_len;
  if (rpos_ == rbuf_.size()) {
    rpos_ = 0;
    rbuf_.clear();
  }
}

// `self` keeps the connection alive while the coroutine runs. The reader
// ends (reading_ = false) when the connection closes or backpressure stops
// it; ResumeReading() starts a new one, which first handles what is buffered.
asio::awaitable<void> Connection::Reader(std::shared_ptr<Connection> /*self*/) {
  struct Running {
    bool& flag;
    ~Running() { flag = false; }
  } running{reading_};
  while (!closed_) {
    // Handle every complete frame already buffered.
    while (!closed_) {
      auto frame = NextFrame();
      if (!frame) break;
      const size_t len = frame->size();
      // The frame stays buffered; the resumed reader finds it again.
      if (MustPauseReading(len)) co_return;
      if (!session_) {
        if (!HandleHandshake(*frame)) {
          Close(CloseReason::kHandshake);
          co_return;
        }
      } else {
        HandleFrame(*frame);
      }
      if (closed_ || draining_) co_return;
      ConsumeFrame(len);
      // Only complete frames reset the idle deadline, so a client trickling
      // bytes or stalling mid-frame still times out.
      if (session_) {
        deadline_ns_ = server_.NowNs() + server_.config.limits.idle_timeout_seconds * 1000000000ull;
      }
    }
    if (protocol_error_) {
      Close(session_ ? CloseReason::kProtocol : CloseReason::kHandshake);
      co_return;
    }
    if (rbuf_.empty() && rbuf_.capacity() > 0) {
      Bytes().swap(rbuf_);  // idle connections hold no read buffer
    }
    // Read nothing more while the write queue is full (the Writer resumes).
    if (wqueue_bytes_ >= server_.config.limits.max_write_queue_bytes) co_return;
    // Wait for readability without a buffer, then read what is there.
    auto [wait_ec] = co_await socket_.async_wait(Socket::wait_read, kTuple);
    if (closed_) co_return;
    if (wait_ec) {
      Close(CloseReason::kPeer);
      co_return;
    }
    // Compact, then make room for at least the rest of the current frame.
    if (rpos_ > 0) {
      rbuf_.erase(rbuf_.begin(), rbuf_.begin() + static_cast<long>(rpos_));
      rpos_ = 0;
    }
    size_t want = kReadChunk;
    if (!session_) {
      // Exactly message 1, nothing more (the client cannot send anything
      // else before it has read message 2).
      want = noise::kFrameHeaderSize + kHandshakeMessage1Size - rbuf_.size();
    } else if (rbuf_.size() >= noise::kFrameHeaderSize) {
      const size_t frame_total = noise::kFrameHeaderSize + ReadU16BE(rbuf_.data());
      if (frame_total > rbuf_.size()) want = std::max(want, frame_total - rbuf_.size());
    }
    const size_t old = rbuf_.size();
    rbuf_.resize(old + want);
    std::error_code ec;
    const size_t n = socket_.read_some(asio::buffer(rbuf_.data() + old, want), ec);
    rbuf_.resize(old + n);
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    if (ec) {
      Close(CloseReason::kPeer);
      co_return;
    }
  }
}

bool Connection::HandleHandshake(ByteView message) {
  // Cheap check first: message 1 with the required empty payload has exactly
  // this size; anything else is not an Attune client.
  const ConnectionLimits& limits = server_.config.limits;
  if (message.size() != kHandshakeMessage1Size) return false;
  const uint64_t now = server_.NowNs();
  // Per-address rate before the global one, so one address cannot spend the
  // whole relay's handshake budget.
  auto entry = server_.addresses.find(address_);
  if (entry != server_.addresses.end()) {
    entry->second.last_handshake_ns = now;
    if (!entry->second.handshakes.TryTake(limits.handshakes_per_second_per_address,
                                          limits.handshake_burst_per_address, now)) {
      return false;
    }
  }
  if (!server_.handshake_bucket.TryTake(limits.handshakes_per_second, limits.handshake_burst,
                                        now)) {
    return false;
  }
  auto hs = noise::Handshake::Responder(server_.static_key.get(), AsBytes(noise::kRelayPrologue),
                                        server_.random);
  auto payload = hs.ReadMessage(message);
  if (!payload.ok() || !payload->empty()) return false;
  auto reply = hs.WriteMessage({});
  if (!reply.ok()) return false;
  auto session = hs.Finish();
  if (!session.ok()) return false;
  session_.emplace(std::move(session).value());
  handshaking_ = false;
  server_.pending_handshakes--;
  EnqueueFrame(noise::EncodeFrame(*reply));
  deadline_ns_ = now + limits.idle_timeout_seconds * 1000000000ull;
  return true;
}

void Connection::HandleFrame(ByteView ciphertext) {
  auto plaintext = session_->Decrypt(ciphertext);
  if (!plaintext.ok()) {
    Close(CloseReason::kProtocol);
    return;
  }
  ParseOutcome parsed = ParseClientFrame(*plaintext, server_.config.mailbox.max_blob_size);
  // The plaintext may hold a credential or capability: wipe it.
  crypto::SecureZero(plaintext->data(), plaintext->size());
  if (auto* rejection = std::get_if<Rejection>(&parsed)) {
    Log(LogLevel::kDebug, "rejected frame: " + rejection->reason);
    if (rejection->request_id) {
      RespondCode(*rejection->request_id, Code::kBadRequest, "malformed request");
    }
    // A correct client never sends such a frame: flush the answer, then end.
    CloseAfterFlush(CloseReason::kProtocol);
    return;
  }
  HandleRequest(std::get<ValidatedRequest>(std::move(parsed)));
}

// ---------------------------------------------------------------- writing --

void Connection::SendPlaintext(std::string& plaintext, bool wipe) {
  if (closed_ || !session_) return;
  auto ciphertext = session_->Encrypt(AsBytes(plaintext));
  if (wipe) crypto::SecureZero(plaintext.data(), plaintext.size());
  if (!ciphertext.ok()) {
    Close(CloseReason::kProtocol);
    return;
  }
  EnqueueFrame(noise::EncodeFrame(*ciphertext));
}

// Never closes: what may be queued is bounded before it gets here (pushes by
// DeliveryCredit(), responses by the reader stopping at a full queue and by
// max_pending_requests).
void Connection::EnqueueFrame(Bytes frame) {
  if (closed_) return;
  wqueue_bytes_ += frame.size();
  wqueue_.push_back(std::move(frame));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(server_.io, Writer(shared_from_this()), asio::detached);
  }
}

asio::awaitable<void> Connection::Writer(std::shared_ptr<Connection> /*self*/) {
  std::vector<Bytes> batch;
  std::vector<asio::const_buffer> buffers;
  while (!closed_ && !wqueue_.empty()) {
    // Everything queued so far goes out in gathered writes.
    batch.swap(wqueue_);
    buffers.clear();
    for (const Bytes& b : batch) buffers.push_back(asio::buffer(b));
    size_t first = 0;  // buffers[first..] still to write
    write_progress_ns_ = server_.NowNs();
    while (first < buffers.size()) {
      auto [ec, n] = co_await socket_.async_write_some(
          std::span<const asio::const_buffer>(buffers.data() + first, buffers.size() - first),
          kTuple);
      if (closed_) break;
      if (ec) {
        Close(CloseReason::kPeer);
        break;
      }
      wqueue_bytes_ -= n;
      write_progress_ns_ = server_.NowNs();
      while (n > 0 && first < buffers.size()) {
        const size_t take = std::min(n, buffers[first].size());
        buffers[first] += take;
        n -= take;
        if (buffers[first].size() == 0) first++;
      }
      // Credit came back: refill subscriptions, read requests again.
      OnWriteDrained();
    }
    write_progress_ns_ = 0;
    batch.clear();
    if (closed_) break;
    if (draining_ && wqueue_.empty()) {
      Close(drain_reason_);
      break;
    }
  }
  writing_ = false;
}

size_t Connection::DeliveryCredit() const {
  const size_t used = wqueue_bytes_ + delivery_reserved_;
  const size_t bound = server_.config.limits.max_write_queue_bytes;
  return used >= bound ? 0 : bound - used;
}

void Connection::OnWriteDrained() {
  RefillSubscriptions();
  if (wqueue_bytes_ < server_.config.limits.max_write_queue_bytes) ResumeReading();
}

void Connection::RefillSubscriptions() {
  if (closed_) return;
  // Round-robin, so one busy mailbox does not starve the connection's others.
  const size_t n = subs_.size();
  for (size_t i = 0; i < n && !closed_; ++i) {
    MaybeFetch(*subs_[(next_sub_ + i) % n]);
  }
  if (n > 0) next_sub_ = (next_sub_ + 1) % n;
}

void Connection::Respond(uint64_t request_id, const Outcome& outcome) {
  pb::RelayFrame frame;
  pb::Response* r = frame.mutable_response();
  r->set_request_id(request_id);
  r->set_code(ToProto(outcome.code));
  if (outcome.message[0] != '\0') r->set_message(outcome.message);
  if (outcome.message_id != 0) r->set_message_id(outcome.message_id);
  if (outcome.ticket) r->set_ticket(outcome.ticket->data(), outcome.ticket->size());
  std::string plaintext = frame.SerializeAsString();
  if (outcome.ticket) {
    crypto::SecureZero(r->mutable_ticket()->data(), r->ticket().size());
  }
  SendPlaintext(plaintext, outcome.ticket.has_value());
}

void Connection::RespondCode(uint64_t request_id, Code code, const char* message) {
  Outcome o;
  o.code = code;
  o.message = message;
  Respond(request_id, o);
}

}  // namespace attune::relay
