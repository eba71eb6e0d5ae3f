// The Double Ratchet's building blocks (Signal Double Ratchet spec, sections
// 3 and 4), exactly as docs/PROTOCOL.md (part ratchet) defines them byte for byte.
// Session (session.h) composes them; the test-vector tool calls them to print
// intermediate keys. All functions are pure: no state, no randomness.
#pragma once

#include <cstdint>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/constants.h"

namespace attune::e2e {

using RatchetKey = crypto::SecretArray<kRatchetKeySize>;

// What X3DH hands to the ratchet (x3dh.h produces it). All secrets are
// 32 bytes; naming follows the Signal spec, section 4.
struct RatchetInit {
  crypto::SecretArray<32> root_key{};     // SK
  crypto::SecretArray<32> shared_hka{};   // initiator's first sending header key
  crypto::SecretArray<32> shared_nhkb{};  // responder's first next-header key
  // Binds both identities, initiator first (built by the X3DH layer). Sent
  // never; prepended to the encrypted header as the body's AEAD AD.
  Bytes associated_data{};
};

// KDF_RK(rk, dh_out) -> (rk', ck, nhk).
struct RootKdfOutput {
  RatchetKey root_key{};
  RatchetKey chain_key{};
  RatchetKey next_header_key{};
};
RootKdfOutput KdfRk(crypto::ConstSpan<32> root_key, crypto::ConstSpan<32> dh_out);

// KDF_CK(ck) -> (ck', mk).
struct ChainKdfOutput {
  RatchetKey chain_key{};
  RatchetKey message_key{};
};
ChainKdfOutput KdfCk(crypto::ConstSpan<32> chain_key);

// Expands a single-use message key into the body's XChaCha20-Poly1305 key and
// nonce. The nonce is deterministic: each mk encrypts exactly one message.
struct MessageAeadKey {
  crypto::SecretArray<32> key{};
  crypto::SecretArray<24> nonce{};
};
MessageAeadKey DeriveMessageAeadKey(crypto::ConstSpan<32> message_key);

// Padding: u32-BE length || plaintext || zero bytes, to the bucket size.
// PaddedSize fails with kLimitExceeded when plaintext_size > kMaxPlaintextSize.
Result<size_t> PaddedSize(size_t plaintext_size);
// True when n is one of the bucket sizes (a power of two in
// [kMinPaddedSize, kMaxPaddedSize]). A cheap check before any decryption.
bool IsValidPaddedSize(size_t n);
// Writes the padded form of plaintext into out (out.size() must be
// PaddedSize(plaintext.size())).
void Pad(ByteView plaintext, MutableByteView out);
// Returns the plaintext inside a padded body. Fails with kInvalidArgument when
// the length does not fit or a padding byte is not zero.
Result<ByteView> Unpad(ByteView padded);

}  // namespace attune::e2e
