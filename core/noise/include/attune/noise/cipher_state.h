// Noise CipherState (spec rev 34, section 5.1) for ChaChaPoly: a 32-byte key
// k and a 64-bit nonce n. The AEAD nonce is 4 zero bytes followed by n as a
// little-endian uint64 (spec section 12.3), i.e. the IETF 12-byte nonce.
//
// Thread safety: none; one owner at a time. Move-only; the key is wiped on
// destruction and on move.
#pragma once

#include <cstdint>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/noise/constants.h"

namespace attune::noise {

class CipherState {
 public:
  // Empty: HasKey() is false and Encrypt/Decrypt pass data through, as the
  // spec requires before the first MixKey.
  CipherState() = default;
  explicit CipherState(crypto::ConstSpan<kKeyLen> key) { InitializeKey(key); }

  // A moved-from CipherState is spent: every later Encrypt/Decrypt fails with
  // kInternal rather than silently passing data through or using a wiped key.
  CipherState(CipherState&& other) noexcept;
  CipherState& operator=(CipherState&& other) noexcept;
  CipherState(const CipherState&) = delete;
  CipherState& operator=(const CipherState&) = delete;

  // Sets k and resets n to zero.
  void InitializeKey(crypto::ConstSpan<kKeyLen> key);
  bool HasKey() const { return has_key_; }
  uint64_t nonce() const { return n_; }
  // Spec SetNonce; tests use it to reach nonce exhaustion.
  void SetNonce(uint64_t n) { n_ = n; }

  // With a key: returns ENCRYPT(k, n, ad, plaintext) (ciphertext || tag) and
  // increments n. Without a key: returns a copy of plaintext.
  // Errors: kLimitExceeded when n == kMaxNonce (nothing is encrypted);
  // kInternal when moved-from.
  Result<Bytes> EncryptWithAd(ByteView ad, ByteView plaintext);

  // With a key: authenticates and decrypts; n is incremented only on
  // success. Without a key: returns a copy of ciphertext.
  // Errors: kAuthFailed (bad tag or shorter than a tag; n unchanged),
  // kLimitExceeded when n == kMaxNonce; kInternal when moved-from.
  Result<Bytes> DecryptWithAd(ByteView ad, ByteView ciphertext);

 private:
  crypto::SecretArray<kKeyLen> k_{};
  uint64_t n_ = 0;
  bool has_key_ = false;
  bool spent_ = false;
};

}  // namespace attune::noise
