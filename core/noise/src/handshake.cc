// Noise_NK_25519_ChaChaPoly_BLAKE2b handshake (Noise spec rev 34, sections
// 5.2 SymmetricState, 5.3 HandshakeState, 7.4 NK). The message patterns are
// fixed, so instead of a generic token interpreter each of the two messages
// is written out by hand; the comments name the tokens.
#include "attune/noise/handshake.h"

#include <algorithm>
#include <utility>

#include "attune/crypto/hash.h"

namespace attune::noise {
namespace {

static_assert(kProtocolName.size() <= kHashLen, "h = protocol name padded with zeros");
static_assert(kDhLen == crypto::kX25519KeySize);

Error DeadHandshake() {
  return MakeError(ErrorCode::kInternal, "noise: handshake is dead after an earlier error");
}

// HKDF of spec section 4.3 with HMAC-BLAKE2b-512, two outputs.
void Hkdf2(ByteView chaining_key, ByteView input_key_material, crypto::SecretArray<kHashLen>& out1,
           crypto::SecretArray<kHashLen>& out2) {
  crypto::SecretArray<kHashLen> temp_key;
  crypto::HmacBlake2b512(chaining_key, input_key_material, temp_key.mutable_span());
  const uint8_t one = 0x01;
  crypto::HmacBlake2b512(temp_key.view(), ByteView(&one, 1), out1.mutable_span());
  crypto::SecretArray<kHashLen + 1> block;
  std::copy(out1.data(), out1.data() + kHashLen, block.data());
  block.data()[kHashLen] = 0x02;
  crypto::HmacBlake2b512(temp_key.view(), block.view(), out2.mutable_span());
}

crypto::ConstSpan<kKeyLen> First32(const crypto::SecretArray<kHashLen>& key) {
  return crypto::ConstSpan<kKeyLen>(key.data(), kKeyLen);
}

}  // namespace

// --- Construction ----------------------------------------------------------

Handshake::Handshake(Role role, ByteView prologue, crypto::X25519KeyPair ephemeral)
    : role_(role), e_(std::move(ephemeral)) {
  // InitializeSymmetric(protocol_name): the name fits in HASHLEN, so h is
  // the name padded with zeros, and ck = h.
  std::copy(kProtocolName.begin(), kProtocolName.end(), h_.begin());
  ck_ = crypto::SecretArray<kHashLen>(crypto::ConstSpan<kHashLen>(h_));
  MixHash(prologue);
}

Handshake Handshake::InitiatorWithEphemeral(const crypto::X25519PublicKey& responder_static,
                                            ByteView prologue,
                                            crypto::ConstSpan<kDhLen> ephemeral_private) {
  Handshake hs(Role::kInitiator, prologue, crypto::X25519KeyPairFromPrivate(ephemeral_private));
  // Pre-message "<- s": both sides hash the responder's static key.
  hs.rs_ = responder_static;
  hs.MixHash(hs.rs_);
  return hs;
}

Handshake Handshake::ResponderWithEphemeral(const crypto::X25519KeyPair& static_key,
                                            ByteView prologue,
                                            crypto::ConstSpan<kDhLen> ephemeral_private) {
  Handshake hs(Role::kResponder, prologue, crypto::X25519KeyPairFromPrivate(ephemeral_private));
  hs.s_ = &static_key;  // never copied (see Responder)
  hs.MixHash(static_key.public_key);
  return hs;
}

Handshake Handshake::Initiator(const crypto::X25519PublicKey& responder_static, ByteView prologue,
                               crypto::RandomSource& rng) {
  crypto::SecretArray<kDhLen> ephemeral = rng.Secret<kDhLen>();
  return InitiatorWithEphemeral(responder_static, prologue, ephemeral.span());
}

Handshake Handshake::Responder(const crypto::X25519KeyPair& static_key, ByteView prologue,
                               crypto::RandomSource& rng) {
  crypto::SecretArray<kDhLen> ephemeral = rng.Secret<kDhLen>();
  return ResponderWithEphemeral(static_key, prologue, ephemeral.span());
}

Handshake::Handshake(Handshake&& other) noexcept
    : role_(other.role_),
      step_(std::exchange(other.step_, Step::kDead)),
      ck_(std::move(other.ck_)),
      h_(other.h_),
      cipher_(std::move(other.cipher_)),
      e_(std::move(other.e_)),
      s_(std::exchange(other.s_, nullptr)),
      rs_(other.rs_),
      re_(other.re_) {}

Handshake& Handshake::operator=(Handshake&& other) noexcept {
  if (this != &other) {
    role_ = other.role_;
    step_ = std::exchange(other.step_, Step::kDead);
    ck_ = std::move(other.ck_);
    h_ = other.h_;
    cipher_ = std::move(other.cipher_);
    e_ = std::move(other.e_);
    s_ = std::exchange(other.s_, nullptr);
    rs_ = other.rs_;
    re_ = other.re_;
  }
  return *this;
}

// --- SymmetricState --------------------------------------------------------

void Handshake::MixHash(ByteView data) {
  crypto::Blake2bHasher hasher(kHashLen);
  hasher.Update(h_).Update(data).Final(h_);
}

void Handshake::MixKey(ByteView input_key_material) {
  crypto::SecretArray<kHashLen> new_ck;
  crypto::SecretArray<kHashLen> temp_k;
  Hkdf2(ck_.view(), input_key_material, new_ck, temp_k);
  ck_ = std::move(new_ck);
  cipher_.InitializeKey(First32(temp_k));
}

Result<Bytes> Handshake::EncryptAndHash(ByteView plaintext) {
  ATTUNE_ASSIGN_OR_RETURN(Bytes ciphertext, cipher_.EncryptWithAd(h_, plaintext));
  MixHash(ciphertext);
  return ciphertext;
}

Result<Bytes> Handshake::DecryptAndHash(ByteView ciphertext) {
  ATTUNE_ASSIGN_OR_RETURN(Bytes plaintext, cipher_.DecryptWithAd(h_, ciphertext));
  MixHash(ciphertext);
  return plaintext;
}

Status Handshake::MixDh(crypto::ConstSpan<kDhLen> private_key,
                        crypto::ConstSpan<kDhLen> public_key) {
  // crypto::X25519 refuses an all-zero result (a low-order peer key).
  ATTUNE_ASSIGN_OR_RETURN(crypto::SecretArray<kDhLen> shared,
                          crypto::X25519(private_key, public_key));
  MixKey(shared.view());
  return Status::Ok();
}

// --- HandshakeState --------------------------------------------------------

bool Handshake::IsMyTurnToWrite() const {
  return (role_ == Role::kInitiator && step_ == Step::kMessage1) ||
         (role_ == Role::kResponder && step_ == Step::kMessage2);
}

Error Handshake::Kill(Error error) {
  step_ = Step::kDead;
  ck_ = crypto::SecretArray<kHashLen>();
  cipher_ = CipherState();
  e_.private_key = crypto::SecretArray<kDhLen>();
  s_ = nullptr;
  return error;
}

Result<Bytes> Handshake::WriteMessage(ByteView payload) {
  if (step_ == Step::kDead) return DeadHandshake();
  auto message = WriteMessageImpl(payload);
  if (!message.ok()) return Kill(message.error());
  return message;
}

Result<Bytes> Handshake::ReadMessage(ByteView message) {
  if (step_ == Step::kDead) return DeadHandshake();
  auto payload = ReadMessageImpl(message);
  if (!payload.ok()) return Kill(payload.error());
  return payload;
}

Result<Bytes> Handshake::WriteMessageImpl(ByteView payload) {
  if (!IsMyTurnToWrite()) {
    return MakeError(ErrorCode::kInvalidArgument, "noise: WriteMessage called out of turn");
  }
  if (payload.size() > kMaxHandshakePayload) {
    return MakeError(ErrorCode::kInvalidArgument, "noise: handshake payload too large");
  }
  // Token "e": send our ephemeral public key in clear and hash it.
  Bytes out(e_.public_key.begin(), e_.public_key.end());
  MixHash(e_.public_key);
  if (role_ == Role::kInitiator) {
    // -> e, es   (es = DH(e, rs) on the initiator side)
    ATTUNE_RETURN_IF_ERROR(MixDh(e_.private_key.span(), rs_));
  } else {
    // <- e, ee
    ATTUNE_RETURN_IF_ERROR(MixDh(e_.private_key.span(), *re_));
  }
  ATTUNE_ASSIGN_OR_RETURN(Bytes encrypted, EncryptAndHash(payload));
  Append(out, encrypted);
  step_ = role_ == Role::kInitiator ? Step::kMessage2 : Step::kComplete;
  return out;
}

Result<Bytes> Handshake::ReadMessageImpl(ByteView message) {
  const bool my_turn_to_read = (role_ == Role::kResponder && step_ == Step::kMessage1) ||
                               (role_ == Role::kInitiator && step_ == Step::kMessage2);
  if (!my_turn_to_read) {
    return MakeError(ErrorCode::kInvalidArgument, "noise: ReadMessage called out of turn");
  }
  // Length checks before any DH: cheap rejection of garbage.
  if (message.size() < kHandshakeOverhead) {
    return MakeError(ErrorCode::kInvalidArgument, "noise: handshake message too short");
  }
  if (message.size() > kMaxMessageSize) {
    return MakeError(ErrorCode::kInvalidArgument, "noise: handshake message too long");
  }
  // Token "e": the peer's ephemeral public key.
  crypto::X25519PublicKey re;
  std::copy(message.begin(), message.begin() + kDhLen, re.begin());
  re_ = re;
  MixHash(re);
  if (role_ == Role::kResponder) {
    // -> e, es   (es = DH(s, re) on the responder side)
    if (s_ == nullptr) return Kill(DeadHandshake());
    ATTUNE_RETURN_IF_ERROR(MixDh(s_->private_key.span(), re));
  } else {
    // <- e, ee
    ATTUNE_RETURN_IF_ERROR(MixDh(e_.private_key.span(), re));
  }
  ATTUNE_ASSIGN_OR_RETURN(Bytes payload, DecryptAndHash(message.subspan(kDhLen)));
  step_ = role_ == Role::kResponder ? Step::kMessage2 : Step::kComplete;
  return payload;
}

Result<TransportSession> Handshake::Finish() {
  if (step_ == Step::kDead) return DeadHandshake();
  if (step_ != Step::kComplete) {
    return Kill(MakeError(ErrorCode::kInvalidArgument, step_ == Step::kFinished
                                                           ? "noise: handshake already finished"
                                                           : "noise: handshake not complete"));
  }
  // Split(): two keys from ck with empty input key material.
  crypto::SecretArray<kHashLen> k1;
  crypto::SecretArray<kHashLen> k2;
  Hkdf2(ck_.view(), {}, k1, k2);
  CipherState c1(First32(k1));
  CipherState c2(First32(k2));
  // The initiator sends with the first key, the responder with the second.
  if (role_ != Role::kInitiator) std::swap(c1, c2);
  TransportSession session(std::move(c1), std::move(c2), h_);
  // Nothing of the handshake's secrets outlives it.
  Kill(MakeError(ErrorCode::kInternal, ""));
  step_ = Step::kFinished;
  return session;
}

}  // namespace attune::noise
