#include "attune/net/relay_connection.h"

#include <asio.hpp>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "attune/crypto/ed25519.h"
#include "attune/net/relay_codec.h"
#include "attune/noise/framing.h"
#include "attune/noise/handshake.h"

namespace attune::net {
namespace {

using Clock = std::chrono::steady_clock;
// Pauses before resending a RATE_LIMITED request: doubling from the first,
// capped (the relay's buckets refill within a second).
constexpr std::chrono::milliseconds kRateLimitedFirstPause{10};
constexpr std::chrono::milliseconds kRateLimitedMaxPause{1000};

Error IoError(std::string message) { return MakeError(ErrorCode::kIoError, std::move(message)); }

}  // namespace

CreateAuthorization CreateAuthorization::Credential(crypto::ConstSpan<kCredentialSize> credential) {
  return CreateAuthorization(Kind::kCredential, credential);
}

CreateAuthorization CreateAuthorization::Ticket(crypto::ConstSpan<kTicketSize> ticket) {
  return CreateAuthorization(Kind::kTicket, ticket);
}

// All socket work happens inside this object's io_context, and only while a
// public call runs it (run_one_until), so handlers never race with callers.
// One read is always armed; it feeds the frame decoder and files each frame
// as a handshake message, an answer (by request id) or a delivery.
class RelayConnection::Impl {
 public:
  Impl() : socket_(ctx_) {}
  ~Impl() {
    asio::error_code ignored;
    socket_.close(ignored);
  }

  Status ConnectAndHandshake(const RelayEndpoint& endpoint, Clock::time_point deadline,
                             crypto::RandomSource& random);

  // Encrypts one ClientFrame, writes it, and records that `request_id`
  // expects an answer.
  Status SendRequest(uint64_t request_id, ByteView plaintext, Clock::time_point deadline);
  // Waits for the answer to `request_id`.
  Result<RelayResponse> AwaitAnswer(uint64_t request_id, Clock::time_point deadline);
  // docs/PROTOCOL.md (part mailbox) section 5: RATE_LIMITED means the relay
  // did nothing, so the same request is sent again on this connection after
  // a growing pause (deliveries are still read meanwhile), until `deadline`.
  Result<RelayResponse> Call(uint64_t request_id, ByteView plaintext, Clock::time_point deadline) {
    auto pause = kRateLimitedFirstPause;
    for (;;) {
      ATTUNE_RETURN_IF_ERROR(SendRequest(request_id, plaintext, deadline));
      ATTUNE_ASSIGN_OR_RETURN(RelayResponse response, AwaitAnswer(request_id, deadline));
      if (response.code != RelayCode::kRateLimited || Clock::now() + pause >= deadline) {
        return response;
      }
      RunUntil([] { return false; }, Clock::now() + pause);
      if (failure_) return DeadStatus().error();
      pause = std::min(pause * 2, kRateLimitedMaxPause);
    }
  }

  Result<std::optional<Delivery>> NextDelivery(Clock::time_point deadline);

  uint64_t NewRequestId() { return next_request_id_++; }
  size_t pending() const { return pending_.size(); }
  bool is_pending(uint64_t id) const { return pending_.contains(id); }
  bool is_open() const { return !failure_.has_value(); }
  Status DeadStatus() const {
    return failure_.has_value() ? Status(*failure_) : Status(IoError("relay connection closed"));
  }
  void Fail(Error error) {
    if (!failure_) failure_ = std::move(error);
    asio::error_code ignored;
    socket_.close(ignored);
  }
  const HandshakeHash& handshake_hash() const { return handshake_hash_; }

 private:
  template <typename Pred>
  bool RunUntil(Pred done, Clock::time_point deadline);
  Status WriteAll(ByteView data, Clock::time_point deadline);
  void ArmRead();
  void OnData(size_t n);
  void OnTransportFrame(ByteView ciphertext);

  asio::io_context ctx_{};
  asio::ip::tcp::socket socket_;
  noise::FrameDecoder decoder_{};
  std::optional<noise::TransportSession> session_{};
  std::deque<Bytes> handshake_frames_{};
  std::unordered_set<uint64_t> pending_{};
  std::unordered_map<uint64_t, RelayResponse> answers_{};
  std::deque<Delivery> deliveries_{};
  ByteArray<16384> read_buffer_{};
  bool reading_ = false;
  std::optional<Error> failure_{};
  uint64_t next_request_id_ = 1;
  HandshakeHash handshake_hash_{};
};

template <typename Pred>
bool RelayConnection::Impl::RunUntil(Pred done, Clock::time_point deadline) {
  ArmRead();
  while (!done()) {
    if (failure_ || Clock::now() >= deadline) return false;
    if (ctx_.stopped()) ctx_.restart();
    ctx_.run_one_until(deadline);
  }
  return true;
}

void RelayConnection::Impl::ArmRead() {
  if (reading_ || failure_ || !socket_.is_open()) return;
  reading_ = true;
  socket_.async_read_some(asio::buffer(read_buffer_), [this](asio::error_code ec, size_t n) {
    reading_ = false;
    if (ec) {
      Fail(IoError(ec == asio::error::eof ? "relay closed the connection"
                                          : "relay connection failed: " + ec.message()));
      return;
    }
    OnData(n);
    ArmRead();
  });
}

void RelayConnection::Impl::OnData(size_t n) {
  decoder_.Feed(ByteView(read_buffer_.data(), n));
  while (!failure_) {
    auto next = decoder_.Next();
    if (!next.ok()) return Fail(IoError("relay sent a bad frame: " + next.error().message));
    if (!next->has_value()) return;
    if (!session_) {
      handshake_frames_.push_back(std::move(**next));
    } else {
      OnTransportFrame(**next);
    }
  }
}

void RelayConnection::Impl::OnTransportFrame(ByteView ciphertext) {
  auto plaintext = session_->Decrypt(ciphertext);
  if (!plaintext.ok()) return Fail(IoError("relay frame did not decrypt"));
  auto message = ParseRelayFrame(*plaintext);
  if (!message.ok()) return Fail(IoError(message.error().message));
  if (auto* response = std::get_if<RelayResponse>(&*message)) {
    if (pending_.erase(response->request_id) == 0) {
      return Fail(IoError("relay answered a request that was not sent"));
    }
    const uint64_t id = response->request_id;
    answers_.emplace(id, std::move(*response));
    return;
  }
  if (deliveries_.size() >= kMaxQueuedDeliveries) {
    return Fail(IoError("too many unread deliveries"));
  }
  deliveries_.push_back(std::move(std::get<Delivery>(*message)));
}

Status RelayConnection::Impl::WriteAll(ByteView data, Clock::time_point deadline) {
  if (failure_) return DeadStatus();
  bool done = false;
  asio::error_code write_error;
  asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                    [&](asio::error_code ec, size_t) {
                      write_error = ec;
                      done = true;
                    });
  // Reads stay armed while writing: the relay may be pushing deliveries at
  // the same time and must not stall on us.
  if (!RunUntil([&] { return done || failure_.has_value(); }, deadline)) {
    Fail(IoError("relay write timed out"));
  }
  if (!done) {
    // The handler refers to this frame's locals: let it run (aborted).
    if (ctx_.stopped()) ctx_.restart();
    while (!done) ctx_.run_one();
  }
  if (write_error) Fail(IoError("relay connection failed: " + write_error.message()));
  return failure_ ? DeadStatus() : Status::Ok();
}

Status RelayConnection::Impl::ConnectAndHandshake(const RelayEndpoint& endpoint,
                                                  Clock::time_point deadline,
                                                  crypto::RandomSource& random) {
  asio::ip::tcp::resolver resolver(ctx_);
  bool resolved = false;
  asio::error_code resolve_error;
  asio::ip::tcp::resolver::results_type endpoints;
  resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                         asio::ip::tcp::resolver::numeric_service,
                         [&](asio::error_code ec, asio::ip::tcp::resolver::results_type r) {
                           resolve_error = ec;
                           endpoints = std::move(r);
                           resolved = true;
                         });
  while (!resolved && Clock::now() < deadline) ctx_.run_one_until(deadline);
  if (!resolved) {
    resolver.cancel();
    ctx_.restart();
    while (!resolved) ctx_.run_one();
    return IoError("resolving the relay address timed out");
  }
  if (resolve_error) return IoError("cannot resolve the relay address: " + resolve_error.message());

  bool connected = false;
  asio::error_code connect_error;
  asio::async_connect(socket_, endpoints, [&](asio::error_code ec, const asio::ip::tcp::endpoint&) {
    connect_error = ec;
    connected = true;
  });
  if (ctx_.stopped()) ctx_.restart();
  while (!connected && Clock::now() < deadline) ctx_.run_one_until(deadline);
  if (!connected) {
    asio::error_code ignored;
    socket_.close(ignored);
    ctx_.restart();
    while (!connected) ctx_.run_one();
    return IoError("connecting to the relay timed out");
  }
  if (connect_error) return IoError("cannot connect to the relay: " + connect_error.message());
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);

  auto handshake = noise::Handshake::Initiator(endpoint.relay_public_key,
                                               AsBytes(noise::kRelayPrologue), random);
  auto message1 = handshake.WriteMessage({});
  if (!message1.ok()) return message1.error();
  ATTUNE_RETURN_IF_ERROR(WriteAll(noise::EncodeFrame(*message1), deadline));
  if (!RunUntil([&] { return !handshake_frames_.empty(); }, deadline)) {
    Fail(IoError("relay handshake timed out"));
    return DeadStatus();
  }
  Bytes message2 = std::move(handshake_frames_.front());
  handshake_frames_.pop_front();
  auto payload = handshake.ReadMessage(message2);
  if (!payload.ok()) {
    // A bad tag here means the peer does not hold the relay key we expect.
    Error e = payload.error().code == ErrorCode::kAuthFailed
                  ? MakeError(ErrorCode::kAuthFailed,
                              "relay handshake failed: the server does not hold the expected "
                              "relay key")
                  : IoError("relay handshake failed: " + payload.error().message);
    Fail(e);
    return e;
  }
  auto session = handshake.Finish();
  if (!session.ok()) {
    Fail(IoError("relay handshake failed"));
    return DeadStatus();
  }
  handshake_hash_ = session->handshake_hash();
  session_.emplace(std::move(*session));
  while (!handshake_frames_.empty() && !failure_) {
    Bytes frame = std::move(handshake_frames_.front());
    handshake_frames_.pop_front();
    OnTransportFrame(frame);
  }
  return failure_ ? DeadStatus() : Status::Ok();
}

Status RelayConnection::Impl::SendRequest(uint64_t request_id, ByteView plaintext,
                                          Clock::time_point deadline) {
  if (failure_) return DeadStatus();
  auto ciphertext = session_->Encrypt(plaintext);
  if (!ciphertext.ok()) {
    if (ciphertext.error().code == ErrorCode::kInvalidArgument) {
      return MakeError(ErrorCode::kInvalidArgument, "request too large for one relay frame");
    }
    Fail(IoError("relay session cannot encrypt: " + ciphertext.error().message));
    return DeadStatus();
  }
  pending_.insert(request_id);
  return WriteAll(noise::EncodeFrame(*ciphertext), deadline);
}

Result<RelayResponse> RelayConnection::Impl::AwaitAnswer(uint64_t request_id,
                                                         Clock::time_point deadline) {
  if (!pending_.contains(request_id) && !answers_.contains(request_id)) {
    return MakeError(ErrorCode::kInvalidArgument, "no such relay request in flight");
  }
  if (!RunUntil([&] { return answers_.contains(request_id); }, deadline)) {
    if (!failure_) Fail(IoError("relay did not answer in time"));
    return DeadStatus().error();
  }
  auto it = answers_.find(request_id);
  RelayResponse response = std::move(it->second);
  answers_.erase(it);
  return response;
}

Result<std::optional<Delivery>> RelayConnection::Impl::NextDelivery(Clock::time_point deadline) {
  if (deliveries_.empty()) {
    if (failure_) return DeadStatus().error();
    RunUntil([&] { return !deliveries_.empty(); }, deadline);
  }
  if (!deliveries_.empty()) {
    Delivery d = std::move(deliveries_.front());
    deliveries_.pop_front();
    return std::optional<Delivery>(std::move(d));
  }
  if (failure_) return DeadStatus().error();
  return std::optional<Delivery>();
}

// ---------------------------------------------------------------------------

RelayConnection::RelayConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RelayConnection::~RelayConnection() = default;

Result<std::unique_ptr<RelayConnection>> RelayConnection::Connect(const RelayEndpoint& endpoint,
                                                                  std::chrono::milliseconds timeout,
                                                                  crypto::RandomSource& random) {
  auto impl = std::make_unique<Impl>();
  ATTUNE_RETURN_IF_ERROR(impl->ConnectAndHandshake(endpoint, Clock::now() + timeout, random));
  return std::unique_ptr<RelayConnection>(new RelayConnection(std::move(impl)));
}

namespace {

Status OkOrError(const RelayResponse& response) {
  if (response.code == RelayCode::kOk) return Status::Ok();
  return RelayCodeToError(response.code, response.message);
}

}  // namespace

Result<crypto::SecretArray<kTicketSize>> RelayConnection::IssueTicket(
    crypto::ConstSpan<kCredentialSize> credential) {
  const uint64_t id = impl_->NewRequestId();
  crypto::SecretBytes frame = EncodeIssueTicket(id, credential);
  ATTUNE_ASSIGN_OR_RETURN(RelayResponse response,
                          impl_->Call(id, frame.view(), Clock::now() + request_timeout_));
  ATTUNE_RETURN_IF_ERROR(OkOrError(response));
  if (!response.ticket) {
    impl_->Fail(IoError("relay issued no ticket"));
    return impl_->DeadStatus().error();
  }
  return std::move(*response.ticket);
}

Status RelayConnection::CreateMailbox(const MailboxId& mailbox_id,
                                      const crypto::Ed25519PublicKey& owner_public_key,
                                      const SendCapabilityHash& send_capability_hash,
                                      const CreateAuthorization& authorization) {
  const uint64_t id = impl_->NewRequestId();
  crypto::SecretBytes frame =
      EncodeCreateMailbox(id, mailbox_id, owner_public_key, send_capability_hash, authorization);
  ATTUNE_ASSIGN_OR_RETURN(RelayResponse response,
                          impl_->Call(id, frame.view(), Clock::now() + request_timeout_));
  return OkOrError(response);
}

Result<uint64_t> RelayConnection::Send(const MailboxId& mailbox_id,
                                       crypto::ConstSpan<kSendCapabilitySize> send_capability,
                                       ByteView blob) {
  ATTUNE_ASSIGN_OR_RETURN(uint64_t id, SendNoWait(mailbox_id, send_capability, blob));
  return AwaitSend(id);
}

Result<uint64_t> RelayConnection::SendNoWait(const MailboxId& mailbox_id,
                                             crypto::ConstSpan<kSendCapabilitySize> send_capability,
                                             ByteView blob) {
  if (blob.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty blob");
  if (impl_->pending() >= kMaxPendingRequests) {
    return MakeError(ErrorCode::kLimitExceeded, "too many relay requests in flight");
  }
  const uint64_t id = impl_->NewRequestId();
  crypto::SecretBytes frame = EncodeSend(id, mailbox_id, send_capability, blob);
  ATTUNE_RETURN_IF_ERROR(impl_->SendRequest(id, frame.view(), Clock::now() + request_timeout_));
  return id;
}

Result<uint64_t> RelayConnection::AwaitSend(uint64_t request_id) {
  ATTUNE_ASSIGN_OR_RETURN(RelayResponse response,
                          impl_->AwaitAnswer(request_id, Clock::now() + request_timeout_));
  ATTUNE_RETURN_IF_ERROR(OkOrError(response));
  return response.message_id;
}

Status RelayConnection::Subscribe(const MailboxId& mailbox_id,
                                  const crypto::Ed25519KeyPair& owner) {
  const auto signature =
      crypto::Ed25519Sign(owner, SubscribeSignatureInput(impl_->handshake_hash(), mailbox_id));
  const uint64_t id = impl_->NewRequestId();
  ATTUNE_ASSIGN_OR_RETURN(
      RelayResponse response,
      impl_->Call(id, EncodeSubscribe(id, mailbox_id, signature), Clock::now() + request_timeout_));
  return OkOrError(response);
}

Result<std::optional<Delivery>> RelayConnection::NextDelivery(std::chrono::milliseconds timeout) {
  return impl_->NextDelivery(Clock::now() + timeout);
}

Status RelayConnection::Ack(const MailboxId& mailbox_id, uint64_t message_id) {
  const uint64_t id = impl_->NewRequestId();
  ATTUNE_ASSIGN_OR_RETURN(
      RelayResponse response,
      impl_->Call(id, EncodeAck(id, mailbox_id, message_id), Clock::now() + request_timeout_));
  return OkOrError(response);
}

Status RelayConnection::DeleteMailbox(const MailboxId& mailbox_id,
                                      const crypto::Ed25519KeyPair& owner) {
  const auto signature =
      crypto::Ed25519Sign(owner, DeleteSignatureInput(impl_->handshake_hash(), mailbox_id));
  const uint64_t id = impl_->NewRequestId();
  ATTUNE_ASSIGN_OR_RETURN(RelayResponse response,
                          impl_->Call(id, EncodeDeleteMailbox(id, mailbox_id, signature),
                                      Clock::now() + request_timeout_));
  return OkOrError(response);
}

Status RelayConnection::RotateMailbox(const MailboxId& mailbox_id,
                                      const crypto::Ed25519KeyPair& current_owner,
                                      const crypto::Ed25519KeyPair& new_owner,
                                      const SendCapabilityHash& new_send_capability_hash) {
  const Bytes input = RotateSignatureInput(impl_->handshake_hash(), mailbox_id,
                                           new_owner.public_key, new_send_capability_hash);
  const auto signature = crypto::Ed25519Sign(current_owner, input);
  const auto new_signature = crypto::Ed25519Sign(new_owner, input);
  const uint64_t id = impl_->NewRequestId();
  ATTUNE_ASSIGN_OR_RETURN(
      RelayResponse response,
      impl_->Call(id,
                  EncodeRotateMailbox(id, mailbox_id, new_owner.public_key,
                                      new_send_capability_hash, signature, new_signature),
                  Clock::now() + request_timeout_));
  return OkOrError(response);
}

Status RelayConnection::Ping() {
  const uint64_t id = impl_->NewRequestId();
  ATTUNE_ASSIGN_OR_RETURN(RelayResponse response,
                          impl_->Call(id, EncodePing(id), Clock::now() + request_timeout_));
  return OkOrError(response);
}

const HandshakeHash& RelayConnection::handshake_hash() const { return impl_->handshake_hash(); }

bool RelayConnection::is_open() const { return impl_->is_open(); }

void RelayConnection::Close() { impl_->Fail(IoError("relay connection closed")); }

}  // namespace attune::net
