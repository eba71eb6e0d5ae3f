#include <utility>

#include "attune/noise/handshake.h"

namespace attune::noise {
namespace {

Error DeadSession() {
  return MakeError(ErrorCode::kInternal, "noise: transport session is dead after an earlier error");
}

}  // namespace

TransportSession::TransportSession(TransportSession&& other) noexcept
    : send_(std::move(other.send_)),
      recv_(std::move(other.recv_)),
      handshake_hash_(other.handshake_hash_),
      dead_(std::exchange(other.dead_, true)) {}

TransportSession& TransportSession::operator=(TransportSession&& other) noexcept {
  if (this != &other) {
    send_ = std::move(other.send_);
    recv_ = std::move(other.recv_);
    handshake_hash_ = other.handshake_hash_;
    dead_ = std::exchange(other.dead_, true);
  }
  return *this;
}

Result<Bytes> TransportSession::Encrypt(ByteView plaintext) {
  if (dead_) return DeadSession();
  // Oversize is the caller's mistake, not the peer's: the session survives.
  if (plaintext.size() > kMaxTransportPlaintext) {
    return MakeError(ErrorCode::kInvalidArgument, "noise: transport plaintext exceeds 65519 bytes");
  }
  auto ciphertext = send_.EncryptWithAd({}, plaintext);
  if (!ciphertext.ok()) dead_ = true;
  return ciphertext;
}

Result<Bytes> TransportSession::Decrypt(ByteView ciphertext) {
  if (dead_) return DeadSession();
  // Anything that does not authenticate means the stream is corrupt or under
  // attack; continuing would only hand the attacker an oracle.
  if (ciphertext.size() > kMaxMessageSize) {
    dead_ = true;
    return MakeError(ErrorCode::kAuthFailed, "noise: transport message exceeds 65535 bytes");
  }
  auto plaintext = recv_.DecryptWithAd({}, ciphertext);
  if (!plaintext.ok()) dead_ = true;
  return plaintext;
}

}  // namespace attune::noise
