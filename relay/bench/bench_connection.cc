#include "bench_connection.h"

namespace attune::bench {

BenchConnection::BenchConnection(asio::io_context& io, const net::RelayEndpoint& endpoint,
                                 size_t read_buffer_size)
    : endpoint_(endpoint),
      socket_(io),
      decoder_(noise::kMaxMessageSize, 2 * (noise::kFrameHeaderSize + noise::kMaxMessageSize)),
      read_buffer_(read_buffer_size) {}

void BenchConnection::Start(crypto::RandomSource& random, std::function<void(Status)> done) {
  connected_ = std::move(done);
  handshake_.emplace(noise::Handshake::Initiator(endpoint_.relay_public_key,
                                                 AsBytes(noise::kRelayPrologue), random));
  asio::error_code ec;
  const auto address = asio::ip::make_address(endpoint_.host, ec);
  if (ec) return Fail(MakeError(ErrorCode::kInvalidArgument, "bench needs a literal IP address"));
  socket_.async_connect(asio::ip::tcp::endpoint(address, endpoint_.port),
                        [this](asio::error_code ec) {
                          if (ec) {
                            return Fail(MakeError(ErrorCode::kIoError, "connect: " + ec.message()));
                          }
                          asio::error_code ignored;
                          socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
                          auto message1 = handshake_->WriteMessage({});
                          if (!message1.ok()) return Fail(message1.error());
                          noise::AppendFrame(queued_, *message1);
                          Flush();
                          ReadMore();
                        });
}

void BenchConnection::Send(ByteView plaintext) {
  if (failed_) return;
  auto ciphertext = session_->Encrypt(plaintext);
  if (!ciphertext.ok()) return Fail(ciphertext.error());
  noise::AppendFrame(queued_, *ciphertext);
  Flush();
}

void BenchConnection::Flush() {
  if (write_in_progress_ || queued_.empty() || failed_) return;
  writing_.swap(queued_);
  queued_.clear();
  write_in_progress_ = true;
  asio::async_write(socket_, asio::buffer(writing_), [this](asio::error_code ec, size_t) {
    write_in_progress_ = false;
    writing_.clear();
    if (ec) return Fail(MakeError(ErrorCode::kIoError, "write: " + ec.message()));
    Flush();
  });
}

void BenchConnection::ReadMore() {
  socket_.async_read_some(asio::buffer(read_buffer_), [this](asio::error_code ec, size_t n) {
    if (ec) {
      return Fail(MakeError(ErrorCode::kIoError, ec == asio::error::eof
                                                     ? "relay closed the connection"
                                                     : "read: " + ec.message()));
    }
    OnRead(n);
    if (!failed_) ReadMore();
  });
}

void BenchConnection::OnRead(size_t n) {
  decoder_.Feed(ByteView(read_buffer_.data(), n));
  while (!failed_) {
    auto frame = decoder_.Next();
    if (!frame.ok()) return Fail(frame.error());
    if (!frame->has_value()) return;
    if (!session_) {
      auto payload = handshake_->ReadMessage(**frame);
      if (!payload.ok()) return Fail(payload.error());
      auto session = handshake_->Finish();
      if (!session.ok()) return Fail(session.error());
      handshake_hash_ = session->handshake_hash();
      session_.emplace(std::move(*session));
      handshake_.reset();
      if (connected_) std::exchange(connected_, nullptr)(Status::Ok());
      continue;
    }
    auto plaintext = session_->Decrypt(**frame);
    if (!plaintext.ok()) return Fail(plaintext.error());
    auto message = mailbox::ParseRelayFrame(*plaintext);
    if (!message.ok()) return Fail(message.error());
    if (auto* response = std::get_if<net::RelayResponse>(&*message)) {
      if (on_response_) on_response_(*response);
    } else if (on_delivery_) {
      on_delivery_(std::move(std::get<net::Delivery>(*message)));
    }
  }
}

void BenchConnection::Fail(const Error& e) {
  if (failed_) return;
  failed_ = true;
  asio::error_code ignored;
  socket_.close(ignored);
  if (connected_) {
    std::exchange(connected_, nullptr)(e);
  } else if (on_error_) {
    on_error_(e);
  }
}

void BenchConnection::Close() {
  asio::error_code ignored;
  socket_.close(ignored);
  failed_ = true;
}

}  // namespace attune::bench
