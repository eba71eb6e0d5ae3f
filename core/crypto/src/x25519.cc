#include "attune/crypto/x25519.h"

#include <sodium.h>

namespace attune::crypto {

static_assert(crypto_scalarmult_curve25519_BYTES == kX25519KeySize);

X25519KeyPair GenerateX25519KeyPair(RandomSource& random) {
  SecretArray<kX25519KeySize> priv;
  random.Fill(priv.mutable_span());
  return X25519KeyPairFromPrivate(priv.span());
}

X25519KeyPair X25519KeyPairFromPrivate(ConstSpan<kX25519KeySize> private_key) {
  X25519KeyPair pair{SecretArray<kX25519KeySize>(private_key), {}};
  crypto_scalarmult_curve25519_base(pair.public_key.data(), pair.private_key.data());
  return pair;
}

Result<SecretArray<kX25519KeySize>> X25519(ConstSpan<kX25519KeySize> private_key,
                                           ConstSpan<kX25519KeySize> peer_public) {
  SecretArray<kX25519KeySize> shared;
  // libsodium returns -1 when the output is all zero (low-order input).
  if (crypto_scalarmult_curve25519(shared.data(), private_key.data(), peer_public.data()) != 0) {
    return MakeError(ErrorCode::kCryptoFailed, "X25519 with a low-order public key");
  }
  return shared;
}

}  // namespace attune::crypto
