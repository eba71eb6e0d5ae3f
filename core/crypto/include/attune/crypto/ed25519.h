// Ed25519 (RFC 8032) signatures.
#pragma once

#include "attune/base/bytes.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
using Ed25519PublicKey = ByteArray<kEd25519PublicKeySize>;
using Ed25519Signature = ByteArray<kEd25519SignatureSize>;

// A signing key pair. The seed is the secret; libsodium's 64-byte expanded
// secret key is kept alongside in locked memory.
struct Ed25519KeyPair {
  LockedSecret<kEd25519SeedSize> seed{};
  LockedSecret<64> expanded_secret{};  // libsodium's seed || public key
  Ed25519PublicKey public_key{};

  Ed25519KeyPair Clone() const;
};

Ed25519KeyPair GenerateEd25519KeyPair(RandomSource& random);
Ed25519KeyPair Ed25519KeyPairFromSeed(ConstSpan<kEd25519SeedSize> seed);

Ed25519Signature Ed25519Sign(const Ed25519KeyPair& key, ByteView message);

// Strict verification (libsodium rejects non-canonical and small-order
// encodings). Any signature length other than 64 is rejected.
bool Ed25519Verify(ConstSpan<kEd25519PublicKeySize> public_key, ByteView message,
                   ByteView signature);

// True iff `public_key` is a canonical encoding of a point on the curve, in
// the prime-order subgroup and not of small order: the keys that strict
// verification can ever accept. For public keys that arrive without a
// signature (a relay mailbox owner key at create time), so a key that could
// never verify, or one a forger could exploit, is refused up front.
bool Ed25519IsValidPublicKey(ConstSpan<kEd25519PublicKeySize> public_key);

}  // namespace attune::crypto
