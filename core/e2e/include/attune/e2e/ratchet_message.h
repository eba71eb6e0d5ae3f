// The ratchet message wire format (docs/PROTOCOL.md (part ratchet), "Wire format"):
//
//   offset  size  field
//   0       1     version = kRatchetWireVersion (0x01)
//   1       24    header nonce (random per message; header keys are reused)
//   25      56    XChaCha20-Poly1305(HK, header nonce, AD = version byte,
//                                    header 40 bytes) incl. 16-byte tag
//   81      P+16  XChaCha20-Poly1305(key(mk), nonce(mk),
//                                    AD = associated_data || bytes[0..81),
//                                    padded body P bytes) incl. 16-byte tag
//
// header (40 bytes, plaintext inside the encrypted header):
//   0   32  sender's current ratchet public key (DHs.pub)
//   32  4   PN, u32 big-endian: messages in the sender's previous sending chain
//   36  4   N,  u32 big-endian: this message's number in the current chain
//
// P is a power of two in [kMinPaddedSize, kMaxPaddedSize], so the total size
// is 97 + P bytes.
#pragma once

#include <cstdint>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/constants.h"

namespace attune::e2e {

// A decrypted header.
struct RatchetHeader {
  crypto::X25519PublicKey dh{};
  uint32_t pn = 0;
  uint32_t n = 0;

  ByteArray<kHeaderSize> Encode() const;
  static RatchetHeader Decode(crypto::ConstSpan<kHeaderSize> bytes);
};

// A message whose layout has been checked (size, version, padding bucket);
// nothing has been authenticated yet. Views into the caller's buffer, which
// must outlive it.
class RatchetMessageView {
 public:
  // Fails with kUnsupportedVersion for a different version byte and
  // kInvalidArgument for any size that no sender can produce.
  static Result<RatchetMessageView> Parse(ByteView wire);

  // version || header nonce || encrypted header: the header part of the
  // body's AD.
  ByteView prefix() const { return wire_.first(kWirePrefixSize); }
  ByteView version_byte() const { return wire_.first(1); }
  crypto::ConstSpan<kHeaderNonceSize> header_nonce() const {
    return crypto::ConstSpan<kHeaderNonceSize>(wire_.data() + 1, kHeaderNonceSize);
  }
  // Encrypted header with its tag (56 bytes).
  ByteView encrypted_header() const {
    return wire_.subspan(1 + kHeaderNonceSize, kHeaderSize + kAeadTagSize);
  }
  // Encrypted padded body with its tag.
  ByteView encrypted_body() const { return wire_.subspan(kWirePrefixSize); }

 private:
  explicit RatchetMessageView(ByteView wire) : wire_(wire) {}
  ByteView wire_{};
};

// Size on the wire of a message carrying plaintext_size bytes (kLimitExceeded
// above kMaxPlaintextSize). Lets callers budget frames.
Result<size_t> WireMessageSize(size_t plaintext_size);

}  // namespace attune::e2e
