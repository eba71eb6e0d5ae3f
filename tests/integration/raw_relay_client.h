// A deliberately low-level relay client for hostile-input tests: a blocking
// loopback socket that can write arbitrary bytes before or after a correct
// Noise handshake, send any ClientFrame plaintext (valid or not), and tell
// whether the relay closed the connection. Production code uses
// net::RelayConnection instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/x25519.h"
#include "attune/net/relay_codec.h"
#include "attune/noise/framing.h"
#include "attune/noise/handshake.h"

namespace attune::testing {

class RawRelayClient {
 public:
  static Result<RawRelayClient> Connect(uint16_t port);

  RawRelayClient(RawRelayClient&& other) noexcept;
  RawRelayClient& operator=(RawRelayClient&&) = delete;
  ~RawRelayClient();

  // Writes bytes as they are. Errors: kIoError (the relay closed).
  Status WriteRaw(ByteView bytes);
  // Half-closes: the relay reads end of file.
  void ShutdownWrite();
  // Runs the NK handshake (empty payloads) against `relay_public_key`.
  Status Handshake(const crypto::X25519PublicKey& relay_public_key,
                   std::chrono::milliseconds timeout);
  // Encrypts `plaintext` as one transport message and frames it.
  Status SendPlaintext(ByteView plaintext);
  // The next relay frame, decrypted and parsed; kIoError on close/timeout.
  Result<net::RelayMessage> Receive(std::chrono::milliseconds timeout);
  // True when the relay closes the connection within `timeout` (anything it
  // sends meanwhile is discarded).
  bool WaitForClose(std::chrono::milliseconds timeout);

  const net::HandshakeHash& handshake_hash() const { return handshake_hash_; }

 private:
  explicit RawRelayClient(int fd) : fd_(fd) {}
  // Reads into the decoder until a frame is available.
  Result<Bytes> ReadFrame(std::chrono::milliseconds timeout);

  int fd_ = -1;
  noise::FrameDecoder decoder_{};
  std::optional<noise::TransportSession> session_{};
  net::HandshakeHash handshake_hash_{};
};

}  // namespace attune::testing
