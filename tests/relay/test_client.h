// A minimal blocking relay client for the in-process server tests: TCP to
// 127.0.0.1, Noise NK initiator, one protobuf frame per transport message.
// Deliberately independent of client/net so these tests pin the relay's wire
// behaviour on their own.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "asio/io_context.hpp"
#include "asio/ip/tcp.hpp"
#include "attune/noise/handshake.h"
#include "attune/relay/core/hashes.h"
#include "relay.pb.h"

namespace attune::relay::testing {

class TestClient {
 public:
  // Connects and completes the handshake; check ok() afterwards.
  TestClient(uint16_t port, const crypto::X25519PublicKey& relay_key);
  // Connects without a handshake (for hostile-input tests).
  explicit TestClient(uint16_t port);

  bool ok() const { return session_.has_value(); }
  const HandshakeHash& handshake_hash() const { return session_->handshake_hash(); }

  bool SendRaw(ByteView bytes);
  bool SendFrame(const v1::ClientFrame& frame);
  // Encrypts arbitrary plaintext as one transport message.
  bool SendPlaintext(ByteView plaintext);
  // Next RelayFrame, nullopt on timeout, close or a bad frame.
  std::optional<v1::RelayFrame> Read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Reads until the response to request_id (deliveries seen meanwhile are
  // appended to *deliveries when given).
  std::optional<v1::Response> Call(const v1::ClientFrame& frame,
                                   std::vector<v1::Delivery>* deliveries = nullptr);
  // True when the relay closed the connection within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  bool ReadExact(uint8_t* out, size_t n, std::chrono::milliseconds timeout);

  asio::io_context io_{};
  asio::ip::tcp::socket socket_;
  std::optional<noise::TransportSession> session_{};
};

}  // namespace attune::relay::testing
