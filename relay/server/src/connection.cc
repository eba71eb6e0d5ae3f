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
#include <cstring>
#include <memory>
#include <span>
#include <string>

#include "asio/co_spawn.hpp"
#include "asio/detached.hpp"
#include "asio/experimental/as_tuple.hpp"
#include "asio/post.hpp"
#include "asio/use_awaitable.hpp"
#include "asio/write.hpp"
#include "attune/crypto/random.h"
#include "attune/mailbox/relay_frame.h"
#include "attune/noise/framing.h"
#include "attune/relay/server/log.h"
#include "server_state.h"

namespace attune::relay {
namespace {

// Smallest read buffer; it grows to fit a whole frame when needed.
constexpr size_t kReadChunk = 4096;
// A connection that handled no frame for this long goes back to idle (no
// posted read, no buffers) at the next sweep.
constexpr uint64_t kActiveHoldNs = 1000000000ull;

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
  rbuf_.reset();
  rcap_ = rlen_ = rpos_ = 0;
  Bytes().swap(out_);
  Bytes().swap(sending_);
  spos_ = 0;
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
    return;
  }
  // Back to idle: cancel the posted read (the Reader then waits without a
  // buffer). Only when nothing is being written, since cancel() would end
  // the write too.
  if (active_ && reading_ && !going_idle_ && !writing_ && rpos_ == rlen_ &&
      now_ns - last_frame_ns_ >= kActiveHoldNs) {
    going_idle_ = true;
    std::error_code ec;
    socket_.cancel(ec);
  }
  if (!active_) ReleaseBuffersIfIdle();
}

void Connection::ReleaseBuffersIfIdle() {
  if (rpos_ == rlen_ && rbuf_ && !(active_ && reading_)) {
    rbuf_.reset();
    rcap_ = rlen_ = rpos_ = 0;
  }
  if (!writing_ && !flush_posted_ && out_.empty() && out_.capacity() > 0) Bytes().swap(out_);
  if (!writing_ && sending_.capacity() > 0) Bytes().swap(sending_);
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
  const size_t avail = rlen_ - rpos_;
  if (avail < noise::kFrameHeaderSize) return std::nullopt;
  const size_t len = ReadU16BE(rbuf_.get() + rpos_);
  // Before the handshake only message 1 (48 bytes) is acceptable, so a
  // half-open connection never makes the relay buffer more than 50 bytes.
  const bool bad = session_ ? (len == 0 || len > server_.config.limits.max_frame_size)
                            : len != kHandshakeMessage1Size;
  if (bad) {
    protocol_error_ = true;
    return std::nullopt;
  }
  if (avail < noise::kFrameHeaderSize + len) return std::nullopt;
  return ByteView(rbuf_.get() + rpos_ + noise::kFrameHeaderSize, len);
}

void Connection::ConsumeFrame(size_t frame_len) {
  rpos_ += noise::kFrameHeaderSize + frame_len;
  if (rpos_ == rlen_) rpos_ = rlen_ = 0;
}

void Connection::ReserveRead(size_t want) {
  if (rpos_ > 0) {
    std::memmove(rbuf_.get(), rbuf_.get() + rpos_, rlen_ - rpos_);
    rlen_ -= rpos_;
    rpos_ = 0;
  }
  if (rcap_ - rlen_ >= want) return;
  // Not zeroed: every byte is written by a read before it is looked at.
  const size_t cap = std::max(rlen_ + want, kReadChunk);
  auto grown = std::make_unique_for_overwrite<uint8_t[]>(cap);
  if (rlen_ > 0) std::memcpy(grown.get(), rbuf_.get(), rlen_);
  rbuf_ = std::move(grown);
  rcap_ = cap;
}

// `self` keeps the connection alive while the coroutine runs. The reader
// ends (reading_ = false) when the connection closes or backpressure stops
// it; ResumeReading() starts a new one, which first handles what is buffered.
asio::awaitable<void> Connection::Reader(std::shared_ptr<Connection> /*self*/) {
  struct Running {
    bool& flag;
    const bool& idle_waiting;
    // The idle wait carries the reading on without this coroutine.
    ~Running() { flag = idle_waiting; }
  } running{reading_, idle_waiting_};
  while (!closed_) {
    // Handle every complete frame already buffered.
    while (!closed_) {
      auto frame = NextFrame();
      if (!frame) break;
      const size_t len = frame->size();
      // The frame stays buffered; the resumed reader finds it again.
      if (MustPauseReading(len)) co_return;
      const bool request = session_.has_value();
      if (!request) {
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
        last_frame_ns_ = server_.NowNs();
        deadline_ns_ = last_frame_ns_ + server_.config.limits.idle_timeout_seconds * 1000000000ull;
        // A connection that sends requests reads with a buffer posted until
        // it has been quiet for kActiveHoldNs; one that only shook hands
        // stays idle.
        if (request) active_ = true;
      }
    }
    if (protocol_error_) {
      Close(session_ ? CloseReason::kProtocol : CloseReason::kHandshake);
      co_return;
    }
    if (rpos_ == rlen_ && !active_ && rbuf_) {
      rbuf_.reset();  // idle connections hold no read buffer
      rcap_ = rlen_ = rpos_ = 0;
    }
    // Read nothing more while the write queue is full (the Writer resumes).
    if (wqueue_bytes_ >= server_.config.limits.max_write_queue_bytes) co_return;
    // Room for at least the rest of the current frame.
    size_t want = kReadChunk;
    if (!session_) {
      // Exactly message 1, nothing more (the client cannot send anything
      // else before it has read message 2).
      want = noise::kFrameHeaderSize + kHandshakeMessage1Size - (rlen_ - rpos_);
    } else if (rlen_ - rpos_ >= noise::kFrameHeaderSize) {
      const size_t frame_total = noise::kFrameHeaderSize + ReadU16BE(rbuf_.get() + rpos_);
      if (frame_total > rlen_ - rpos_) want = std::max(want, frame_total - (rlen_ - rpos_));
    }
    if (active_ && session_) {
      // Active: post a read with the buffer; the reactor fills it the moment
      // data arrives.
      ReserveRead(want);
      auto [ec, n] = co_await socket_.async_read_some(
          asio::buffer(rbuf_.get() + rlen_, rcap_ - rlen_), kTuple);
      if (closed_) co_return;
      if (ec == asio::error::operation_aborted && going_idle_) {
        going_idle_ = false;
        active_ = false;
        continue;
      }
      going_idle_ = false;
      if (ec) {
        Close(CloseReason::kPeer);
        co_return;
      }
      rlen_ += n;
      continue;
    }
    // Idle: wait for readability without a buffer and without this
    // coroutine; the Reader the wait starts reads what is there.
    if (!readable_) {
      WaitReadableIdle();
      co_return;
    }
    readable_ = false;
    ReserveRead(want);
    std::error_code ec;
    const size_t n =
        socket_.read_some(asio::buffer(rbuf_.get() + rlen_, session_ ? rcap_ - rlen_ : want), ec);
    rlen_ += n;
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    if (ec) {
      Close(CloseReason::kPeer);
      co_return;
    }
  }
}

void Connection::WaitReadableIdle() {
  idle_waiting_ = true;
  socket_.async_wait(Socket::wait_read, [self = shared_from_this()](std::error_code ec) {
    self->idle_waiting_ = false;
    if (self->closed_ || ec) {
      self->reading_ = false;
      self->Close(CloseReason::kPeer);  // nothing if already closed
      return;
    }
    self->readable_ = true;
    asio::co_spawn(self->server_.io, self->Reader(self), asio::detached);
  });
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
  EnqueueFrame(*reply);
  deadline_ns_ = now + limits.idle_timeout_seconds * 1000000000ull;
  return true;
}

void Connection::HandleFrame(ByteView ciphertext) {
  auto plaintext = session_->Decrypt(ciphertext);
  if (!plaintext.ok()) {
    Close(CloseReason::kProtocol);
    return;
  }
  mailbox::ParseOutcome parsed =
      mailbox::ParseClientFrame(*plaintext, server_.config.mailbox.max_blob_size);
  // The plaintext may hold a credential or capability: wipe it.
  crypto::SecureZero(plaintext->data(), plaintext->size());
  if (auto* rejection = std::get_if<mailbox::Rejection>(&parsed)) {
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
  EnqueueFrame(*ciphertext);
}

// Never closes: what may be queued is bounded before it gets here (pushes by
// DeliveryCredit(), responses by the reader stopping at a full queue and by
// max_pending_requests).
void Connection::EnqueueFrame(ByteView message) {
  if (closed_) return;
  const size_t old = out_.size();
  out_.resize(old + noise::kFrameHeaderSize + message.size());
  out_[old] = static_cast<uint8_t>(message.size() >> 8);
  out_[old + 1] = static_cast<uint8_t>(message.size());
  std::memcpy(out_.data() + old + noise::kFrameHeaderSize, message.data(), message.size());
  wqueue_bytes_ += noise::kFrameHeaderSize + message.size();
  if (writing_ || flush_posted_) return;
  // Everything queued until the io thread is done with what is ready now
  // (this request, a whole batch of storage completions) leaves in one write.
  flush_posted_ = true;
  asio::post(server_.io, [self = shared_from_this()] { self->Flush(); });
}

void Connection::Flush() {
  flush_posted_ = false;
  if (closed_ || writing_ || out_.empty()) return;
  std::error_code ec;
  const size_t n = socket_.write_some(asio::buffer(out_), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    Close(CloseReason::kPeer);
    return;
  }
  wqueue_bytes_ -= n;
  if (n == out_.size()) {
    out_.clear();
  } else {
    // The socket is full: the Writer waits for room and writes the rest.
    sending_.swap(out_);
    out_.clear();
    spos_ = n;
    writing_ = true;
    write_progress_ns_ = server_.NowNs();
    asio::co_spawn(server_.io, Writer(shared_from_this()), asio::detached);
  }
  if (n > 0) OnWriteDrained();
  if (!closed_ && draining_ && wqueue_bytes_ == 0) Close(drain_reason_);
}

asio::awaitable<void> Connection::Writer(std::shared_ptr<Connection> /*self*/) {
  while (!closed_) {
    if (spos_ == sending_.size()) {
      if (out_.empty()) break;
      sending_.swap(out_);
      out_.clear();
      spos_ = 0;
    }
    auto [ec, n] = co_await socket_.async_write_some(
        asio::buffer(sending_.data() + spos_, sending_.size() - spos_), kTuple);
    if (closed_) break;
    if (ec) {
      Close(CloseReason::kPeer);
      break;
    }
    spos_ += n;
    wqueue_bytes_ -= n;
    write_progress_ns_ = server_.NowNs();
    // Credit came back: refill subscriptions, read requests again.
    OnWriteDrained();
  }
  write_progress_ns_ = 0;
  writing_ = false;
  if (!closed_) {
    sending_.clear();
    spos_ = 0;
    if (draining_ && wqueue_bytes_ == 0) Close(drain_reason_);
  }
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
  std::string plaintext = mailbox::EncodeResponse(request_id, outcome.code, outcome.message,
                                                  outcome.message_id, outcome.ticket);
  SendPlaintext(plaintext, outcome.ticket.has_value());
}

void Connection::RespondCode(uint64_t request_id, Code code, const char* message) {
  Outcome o;
  o.code = code;
  o.message = message;
  Respond(request_id, o);
}

}  // namespace attune::relay
