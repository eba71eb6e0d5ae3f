// Noise_NK_25519_ChaChaPoly_BLAKE2b (Noise spec rev 34), sans-IO: bytes in,
// bytes out. The wire format is in docs/PROTOCOL.md (part transport).
//
//   NK:
//     <- s
//     ...
//     -> e, es
//     <- e, ee
//
// The client (initiator) knows the relay's static public key in advance; the
// relay (responder) learns nothing about who the client is. After the two
// messages both sides call Finish() for a TransportSession.
//
// Errors and state: any failed call (a bad tag, a low-order key, a message
// of the wrong length, a call out of order) kills the Handshake for good:
// its keys are wiped, every later call fails with kInternal, and the caller
// must drop the connection. Keys are also wiped on destruction.
//
// Thread safety: none. Handshake and TransportSession are move-only and
// belong to one connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"
#include "attune/noise/cipher_state.h"
#include "attune/noise/constants.h"

namespace attune::noise {

class Handshake;

// The two CipherStates of a completed handshake plus its handshake hash.
// Transport messages use an empty associated data (spec section 5.3).
class TransportSession {
 public:
  // A moved-from TransportSession is dead (IsUsable() is false).
  TransportSession(TransportSession&& other) noexcept;
  TransportSession& operator=(TransportSession&& other) noexcept;
  TransportSession(const TransportSession&) = delete;
  TransportSession& operator=(const TransportSession&) = delete;

  // Encrypts the next outgoing transport message (ciphertext || 16-byte tag).
  // Errors: kInvalidArgument when plaintext.size() + 16 > kMaxMessageSize
  // (session still usable); kLimitExceeded on nonce exhaustion and kInternal
  // when the session is dead (both sticky).
  Result<Bytes> Encrypt(ByteView plaintext);

  // Decrypts the next incoming transport message, which must be the very next
  // one the peer sent (no reordering, no loss: the transport is a stream).
  // Errors: kAuthFailed on a bad tag or a message shorter than a tag or
  // longer than kMaxMessageSize. Any failure kills the session: every later
  // Encrypt/Decrypt fails with kInternal.
  Result<Bytes> Decrypt(ByteView ciphertext);

  // False after any failed Decrypt or a nonce exhaustion.
  bool IsUsable() const { return !dead_; }

  // h after the last handshake message: a 64-byte value unique to this
  // session that both sides share (channel binding, spec section 11.2).
  const ByteArray<kHashLen>& handshake_hash() const { return handshake_hash_; }

 private:
  friend class Handshake;
  TransportSession(CipherState send, CipherState recv, const ByteArray<kHashLen>& h)
      : send_(std::move(send)), recv_(std::move(recv)), handshake_hash_(h) {}

  CipherState send_{};
  CipherState recv_{};
  ByteArray<kHashLen> handshake_hash_{};
  bool dead_ = false;
};

class Handshake {
 public:
  enum class Role { kInitiator, kResponder };

  // The client side. `responder_static` is the relay's X25519 public key,
  // obtained out of band (configuration or an invitation). `prologue` is
  // kRelayPrologue in Attune. The ephemeral key is drawn from `rng` now;
  // `rng` is not kept. A low-order `responder_static` is reported by the
  // first WriteMessage (kCryptoFailed).
  static Handshake Initiator(const crypto::X25519PublicKey& responder_static, ByteView prologue,
                             crypto::RandomSource& rng);

  // The relay side. `static_key` must be a matching pair (it is not
  // re-derived, to keep a scalar multiplication off the per-connection path);
  // it is never copied: the handshake refers to the caller's key, which must
  // outlive it (the relay's lives in locked memory for the whole run).
  static Handshake Responder(const crypto::X25519KeyPair& static_key, ByteView prologue,
                             crypto::RandomSource& rng);
  // A temporary key would not outlive the handshake.
  static Handshake Responder(crypto::X25519KeyPair&& static_key, ByteView prologue,
                             crypto::RandomSource& rng) = delete;

  // Test only: a fixed ephemeral private key, for the published vectors.
  // Never use outside tests: reusing an ephemeral destroys forward secrecy.
  static Handshake InitiatorWithEphemeral(const crypto::X25519PublicKey& responder_static,
                                          ByteView prologue,
                                          crypto::ConstSpan<kDhLen> ephemeral_private);
  static Handshake ResponderWithEphemeral(const crypto::X25519KeyPair& static_key,
                                          ByteView prologue,
                                          crypto::ConstSpan<kDhLen> ephemeral_private);
  static Handshake ResponderWithEphemeral(crypto::X25519KeyPair&& static_key, ByteView prologue,
                                          crypto::ConstSpan<kDhLen> ephemeral_private) = delete;

  // A moved-from Handshake is dead.
  Handshake(Handshake&& other) noexcept;
  Handshake& operator=(Handshake&& other) noexcept;
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  // Produces the next handshake message carrying `payload` (encrypted; the
  // payload is readable only by the holder of the responder's static key for
  // message 1, and forward-secret for message 2).
  // Errors: kInvalidArgument when it is not our turn or the handshake is
  // finished, or payload.size() > kMaxHandshakePayload; kCryptoFailed when a
  // DH result is all zero (low-order key); kInternal when already dead.
  // Every error kills the handshake.
  Result<Bytes> WriteMessage(ByteView payload);

  // Consumes the peer's next handshake message and returns its payload.
  // Errors: kInvalidArgument when it is not our turn, or the message is
  // shorter than kHandshakeOverhead or longer than kMaxMessageSize;
  // kCryptoFailed on a low-order ephemeral; kAuthFailed on a bad tag (wrong
  // static key, wrong prologue, tampering); kInternal when already dead.
  // Every error kills the handshake.
  Result<Bytes> ReadMessage(ByteView message);

  // True once both messages have been written/read (and before Finish()).
  bool IsComplete() const { return step_ == Step::kComplete; }
  // True after any error.
  bool IsDead() const { return step_ == Step::kDead; }
  // True when the next call should be WriteMessage (false when complete,
  // finished or dead).
  bool IsMyTurnToWrite() const;
  Role role() const { return role_; }

  // Splits into a TransportSession (initiator sends with the first
  // CipherState of Split(), the responder with the second) and wipes the
  // handshake's keys. Errors: kInvalidArgument when not complete (this kills
  // the handshake) or already finished.
  Result<TransportSession> Finish();

 private:
  enum class Step { kMessage1, kMessage2, kComplete, kFinished, kDead };

  Handshake(Role role, ByteView prologue, crypto::X25519KeyPair ephemeral);

  // Noise SymmetricState (spec section 5.2).
  void MixHash(ByteView data);
  void MixKey(ByteView input_key_material);
  Result<Bytes> EncryptAndHash(ByteView plaintext);
  Result<Bytes> DecryptAndHash(ByteView ciphertext);
  Status MixDh(crypto::ConstSpan<kDhLen> private_key, crypto::ConstSpan<kDhLen> public_key);

  Result<Bytes> WriteMessageImpl(ByteView payload);
  Result<Bytes> ReadMessageImpl(ByteView message);
  Error Kill(Error error);

  Role role_{};
  Step step_ = Step::kMessage1;
  crypto::SecretArray<kHashLen> ck_{};
  ByteArray<kHashLen> h_{};
  CipherState cipher_{};
  crypto::X25519KeyPair e_{};                    // our ephemeral
  const crypto::X25519KeyPair* s_ = nullptr;     // responder only: our static (not owned)
  crypto::X25519PublicKey rs_{};                 // initiator only: responder's static
  std::optional<crypto::X25519PublicKey> re_{};  // peer's ephemeral, once read
};

}  // namespace attune::noise
