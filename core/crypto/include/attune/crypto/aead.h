// Authenticated encryption with associated data.
//
//   XChaCha20-Poly1305-IETF: 24-byte nonce; the message layer (attune_e2e).
//   ChaCha20-Poly1305-IETF (RFC 8439): 12-byte nonce; Noise's ChaChaPoly.
//
// Ciphertexts are ciphertext || 16-byte tag. Open fails with kAuthFailed and
// writes nothing observable when the tag does not verify.
#pragma once

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"

namespace attune::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kXChaChaNonceSize = 24;
inline constexpr size_t kChaChaIetfNonceSize = 12;

Bytes XChaChaSeal(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce, ByteView ad,
                  ByteView plaintext);
Result<Bytes> XChaChaOpen(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce,
                          ByteView ad, ByteView ciphertext);

Bytes ChaChaIetfSeal(ConstSpan<kAeadKeySize> key, ConstSpan<kChaChaIetfNonceSize> nonce,
                     ByteView ad, ByteView plaintext);
Result<Bytes> ChaChaIetfOpen(ConstSpan<kAeadKeySize> key, ConstSpan<kChaChaIetfNonceSize> nonce,
                             ByteView ad, ByteView ciphertext);

// In-place variants for hot paths: `buffer` holds the plaintext followed by
// kAeadTagSize spare bytes (seal) or the ciphertext with its tag (open).
// Open leaves the plaintext in the first size-16 bytes; when the tag does not
// verify it fails with kAuthFailed and leaves the buffer unchanged, so the
// same buffer can be tried with another key.
void XChaChaSealInPlace(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce,
                        ByteView ad, MutableByteView buffer);
Status XChaChaOpenInPlace(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce,
                          ByteView ad, MutableByteView buffer);

}  // namespace attune::crypto
