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
#include <string>

#include "asio/co_spawn.hpp"
#include "asio/detached.hpp"
#include "asio/experimental/as_tuple.hpp"
#include "asio/use_awaitable.hpp"
#include "asio/write.hpp"
#include "attune/crypto/random.h"
#include "attune/mailbox/relay_frame.h"
#include "attune/noise/framing.h"
#include "attune/relay/server/log.h"
#include "server_state.h"

namespace attune::relay {
namespace {

constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
// Smallest read chunk; the buffer grows to fit a whole frame when needed.
constexpr size_t kReadChunk = 4096;

}  // namespace

Connection::Connection(ServerState& server, Socket socket)
    : server_(server), socket_(std::move(socket)) {
  server_.Link(this);
}

Connection::~Connection() { server_.Unlink(this); }

void Connection::Start() {
  const uint64_t now = SteadyNowNs();
  deadline_ns_ = now + server_.config.limits.handshake_timeout_ms * 1000000ull;
  requests_ = TokenBucket(server_.config.limits.request_burst, now);
  std::error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  server_.stats.accepted++;
  server_.stats.open_connections++;
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
  server_.stats.closed++;
  server_.stats.open_connections--;
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
  if (now_ns >= deadline_ns_) {
    Log(LogLevel::kDebug, session_ ? "idle timeout" : "handshake timeout");
    Close(CloseReason::kTimeout);
    return;
  }
  if (write_started_ns_ != 0 &&
      now_ns - write_started_ns_ >= server_.config.limits.write_timeout_seconds * 1000000000ull) {
    Log(LogLevel::kDebug, "write timeout");
    Close(CloseReason::kSlowReader);
  }
}

// ---------------------------------------------------------------- reading --

std::optional<ByteView> Connection::NextFrame() {
  const size_t avail = rbuf_.size() - rpos_;
  if (avail < noise::kFrameHeaderSize) return std::nullopt;
  const size_t len = ReadU16BE(rbuf_.data() + rpos_);
  if (len == 0 || len > server_.config.limits.max_frame_size) {
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

// `self` keeps the connection alive while the coroutine runs.
asio::awaitable<void> Connection::Reader(std::shared_ptr<Connection> /*self*/) {
  while (!closed_) {
    // Handle every complete frame already buffered.
    while (!closed_) {
      auto frame = NextFrame();
      if (!frame) break;
      const size_t len = frame->size();
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
        deadline_ns_ = SteadyNowNs() + server_.config.limits.idle_timeout_seconds * 1000000000ull;
      }
    }
    if (protocol_error_) {
      Log(LogLevel::kDebug, "bad frame length");
      Close(session_ ? CloseReason::kProtocol : CloseReason::kHandshake);
      co_return;
    }
    if (rbuf_.empty() && rbuf_.capacity() > 0) {
      Bytes().swap(rbuf_);  // idle connections hold no read buffer
    }
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
    if (rbuf_.size() >= noise::kFrameHeaderSize) {
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
  if (message.size() != kHandshakeMessage1Size) return false;
  if (!server_.handshake_bucket.TryTake(server_.config.limits.handshakes_per_second,
                                        server_.config.limits.handshake_burst, SteadyNowNs())) {
    return false;
  }
  auto hs = noise::Handshake::Responder(server_.static_key, AsBytes(noise::kRelayPrologue),
                                        crypto::SystemRandom());
  auto payload = hs.ReadMessage(message);
  if (!payload.ok() || !payload->empty()) return false;
  auto reply = hs.WriteMessage({});
  if (!reply.ok()) return false;
  auto session = hs.Finish();
  if (!session.ok()) return false;
  session_.emplace(std::move(session).value());
  EnqueueFrame(noise::EncodeFrame(*reply));
  deadline_ns_ = SteadyNowNs() + server_.config.limits.idle_timeout_seconds * 1000000000ull;
  return true;
}

void Connection::HandleFrame(ByteView ciphertext) {
  auto plaintext = session_->Decrypt(ciphertext);
  if (!plaintext.ok()) {
    Log(LogLevel::kDebug, "frame failed to decrypt");
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
  EnqueueFrame(noise::EncodeFrame(*ciphertext));
}

void Connection::EnqueueFrame(Bytes frame) {
  if (closed_) return;
  if (wqueue_bytes_ + frame.size() > server_.config.limits.max_write_queue_bytes) {
    Log(LogLevel::kDebug, "write queue full: client not reading");
    Close(CloseReason::kSlowReader);
    return;
  }
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
    // Everything queued so far goes out in one gathered write.
    batch.swap(wqueue_);
    size_t bytes = 0;
    buffers.clear();
    for (const Bytes& b : batch) {
      buffers.push_back(asio::buffer(b));
      bytes += b.size();
    }
    write_started_ns_ = SteadyNowNs();
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kTuple);
    write_started_ns_ = 0;
    batch.clear();
    if (closed_) break;
    if (ec) {
      Close(CloseReason::kPeer);
      break;
    }
    wqueue_bytes_ -= bytes;
    if (draining_ && wqueue_.empty()) {
      Close(drain_reason_);
      break;
    }
    // May queue more deliveries; the loop sends them.
    OnWriteDrained();
  }
  writing_ = false;
}

void Connection::OnWriteDrained() {
  for (auto& sub : subs_) MaybeFetch(*sub);
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
