#include "attune/crypto/ed25519.h"

#include <sodium.h>

namespace attune::crypto {

static_assert(crypto_sign_ed25519_PUBLICKEYBYTES == kEd25519PublicKeySize);
static_assert(crypto_sign_ed25519_SEEDBYTES == kEd25519SeedSize);
static_assert(crypto_sign_ed25519_BYTES == kEd25519SignatureSize);
static_assert(crypto_sign_ed25519_SECRETKEYBYTES == 64);

Ed25519KeyPair Ed25519KeyPair::Clone() const {
  return Ed25519KeyPair{seed.Clone(), expanded_secret.Clone(), public_key};
}

Ed25519KeyPair GenerateEd25519KeyPair(RandomSource& random) {
  SecretArray<kEd25519SeedSize> seed;
  random.Fill(seed.mutable_span());
  return Ed25519KeyPairFromSeed(seed.span());
}

Ed25519KeyPair Ed25519KeyPairFromSeed(ConstSpan<kEd25519SeedSize> seed) {
  Ed25519KeyPair pair{LockedSecret<kEd25519SeedSize>(seed), LockedSecret<64>(), {}};
  crypto_sign_ed25519_seed_keypair(pair.public_key.data(), pair.expanded_secret.data(),
                                   pair.seed.data());
  return pair;
}

Ed25519Signature Ed25519Sign(const Ed25519KeyPair& key, ByteView message) {
  Ed25519Signature sig;
  crypto_sign_ed25519_detached(sig.data(), nullptr, message.data(), message.size(),
                               key.expanded_secret.data());
  return sig;
}

bool Ed25519Verify(ConstSpan<kEd25519PublicKeySize> public_key, ByteView message,
                   ByteView signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             public_key.data()) == 0;
}

bool Ed25519IsValidPublicKey(ConstSpan<kEd25519PublicKeySize> public_key) {
  return crypto_core_ed25519_is_valid_point(public_key.data()) == 1;
}

}  // namespace attune::crypto
