// X25519 (RFC 7748) key agreement.
#pragma once

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

inline constexpr size_t kX25519KeySize = 32;
using X25519PublicKey = ByteArray<kX25519KeySize>;

struct X25519KeyPair {
  SecretArray<kX25519KeySize> private_key{};
  X25519PublicKey public_key{};
};

X25519KeyPair GenerateX25519KeyPair(RandomSource& random);
// Derives the key pair for a given private scalar (clamped by X25519 itself).
X25519KeyPair X25519KeyPairFromPrivate(ConstSpan<kX25519KeySize> private_key);

// Computes X25519(private_key, peer_public). Fails with kCryptoFailed when
// the result is all zero (peer_public is a low-order point): callers must
// treat that as a hostile key, never as a valid shared secret.
Result<SecretArray<kX25519KeySize>> X25519(ConstSpan<kX25519KeySize> private_key,
                                           ConstSpan<kX25519KeySize> peer_public);

// True when public_key is the canonical encoding (top bit clear, u < p) of a
// point that is not of small order, i.e. a key X25519 can agree with safely.
// Peer keys read from an invitation or a first message are checked with this
// once, at parse time, so that a hostile key is rejected before any DH.
// Every key made by X25519KeyPairFromPrivate passes. Not constant time:
// public keys are public.
bool X25519IsValidPublicKey(ConstSpan<kX25519KeySize> public_key);

}  // namespace attune::crypto
