#include "attune/crypto/aead.h"

#include <sodium.h>

#include <cassert>

namespace attune::crypto {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kAeadKeySize);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kXChaChaNonceSize);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kAeadTagSize);
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == kChaChaIetfNonceSize);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kAeadTagSize);

namespace {
Error AuthError() { return MakeError(ErrorCode::kAuthFailed, "AEAD tag did not verify"); }
}  // namespace

Bytes XChaChaSeal(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce, ByteView ad,
                  ByteView plaintext) {
  Bytes out(plaintext.size() + kAeadTagSize);
  unsigned long long out_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &out_len, plaintext.data(),
                                             plaintext.size(), ad.data(), ad.size(), nullptr,
                                             nonce.data(), key.data());
  assert(out_len == out.size());
  return out;
}

Result<Bytes> XChaChaOpen(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce,
                          ByteView ad, ByteView ciphertext) {
  if (ciphertext.size() < kAeadTagSize) return AuthError();
  Bytes out(ciphertext.size() - kAeadTagSize);
  unsigned long long out_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &out_len, nullptr, ciphertext.data(),
                                                 ciphertext.size(), ad.data(), ad.size(),
                                                 nonce.data(), key.data()) != 0) {
    return AuthError();
  }
  return out;
}

Bytes ChaChaIetfSeal(ConstSpan<kAeadKeySize> key, ConstSpan<kChaChaIetfNonceSize> nonce,
                     ByteView ad, ByteView plaintext) {
  Bytes out(plaintext.size() + kAeadTagSize);
  unsigned long long out_len = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &out_len, plaintext.data(),
                                            plaintext.size(), ad.data(), ad.size(), nullptr,
                                            nonce.data(), key.data());
  assert(out_len == out.size());
  return out;
}

Result<Bytes> ChaChaIetfOpen(ConstSpan<kAeadKeySize> key, ConstSpan<kChaChaIetfNonceSize> nonce,
                             ByteView ad, ByteView ciphertext) {
  if (ciphertext.size() < kAeadTagSize) return AuthError();
  Bytes out(ciphertext.size() - kAeadTagSize);
  unsigned long long out_len = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &out_len, nullptr, ciphertext.data(),
                                                ciphertext.size(), ad.data(), ad.size(),
                                                nonce.data(), key.data()) != 0) {
    return AuthError();
  }
  return out;
}

void XChaChaSealInPlace(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce,
                        ByteView ad, MutableByteView buffer) {
  assert(buffer.size() >= kAeadTagSize);
  const size_t plain_len = buffer.size() - kAeadTagSize;
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(buffer.data(), buffer.data() + plain_len,
                                                      nullptr, buffer.data(), plain_len, ad.data(),
                                                      ad.size(), nullptr, nonce.data(), key.data());
}

Status XChaChaOpenInPlace(ConstSpan<kAeadKeySize> key, ConstSpan<kXChaChaNonceSize> nonce,
                          ByteView ad, MutableByteView buffer) {
  if (buffer.size() < kAeadTagSize) return AuthError();
  const size_t plain_len = buffer.size() - kAeadTagSize;
  // Verify before touching the buffer: on a bad tag libsodium zeroes its
  // output, which here is the caller's ciphertext, and callers that try
  // several keys on one buffer (skipped or next header keys) need it intact.
  // A null output pointer makes libsodium only check the tag.
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
          nullptr, nullptr, buffer.data(), plain_len, buffer.data() + plain_len, ad.data(),
          ad.size(), nonce.data(), key.data()) != 0) {
    return AuthError();
  }
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
          buffer.data(), nullptr, buffer.data(), plain_len, buffer.data() + plain_len, ad.data(),
          ad.size(), nonce.data(), key.data()) != 0) {
    return AuthError();  // unreachable: the tag verified above
  }
  return Status::Ok();
}

}  // namespace attune::crypto
