// The first messages of a conversation: what the accepting side sends to the
// inviter (docs/PROTOCOL.md, "First message").
//
// Version 2 (type byte 0x82, written by AcceptInvitation and, until the
// inviter has replied, by every Session::Encrypt of the initiator):
//
//   offset  size  field
//        0     1  type = kFirstMessageTypeV2 (0x82; a ratchet message starts
//                 with 0x01 or 0x02, so the two never look alike)
//        1    16  invitation id (selects the inviter's InvitationSecrets)
//       17    32  EK_A: the initiator's ephemeral X25519 public key
//       49   160  sealed initiator identity: XChaCha20-Poly1305 of the
//                 144-byte identity record (identity.h), tag included, under
//                 key || nonce = HKDF-SHA-256(salt = empty, IKM = DH3,
//                 info = kIdentitySealLabel || bytes [0, 49)) (56 bytes),
//                 AD = bytes [0, 49)
//      209     2  L, u16 big-endian: size of the sealed introduction,
//                 16 .. kMaxIntroductionSize + 16
//      211     L  sealed introduction: XChaCha20-Poly1305 of the caller's
//                 introduction bytes (the client's ContactHello), tag
//                 included, under key || nonce = HKDF-SHA-256(salt = empty,
//                 IKM = SK (the X3DH root key), info = kIntroductionSealLabel
//                 || bytes [0, 211)) (56 bytes), AD = bytes [0, 211)
//    211+L     …  one ratchet message (ratchet_message.h) of the initiator's
//                 first sending chain (any message number)
//
// Bytes [0, 211 + L) are the "X3DH prefix": identical in every message of
// one X3DH, so the inviter recognises a repetition (X3dhPrefixHash) and
// decrypts it on the session it already has (DecryptOnSession, x3dh.h).
//
// Version 1 (type byte 0x01, read only: first messages queued or stored by
// older clients) has no introduction: bytes [0, 209) as above with type
// 0x01, then the ratchet message, whose plaintext is the introduction.
//
// The identity record is sealed so that a relay (or anyone who sees the
// first message but not the SPK private key) learns no identity key: DH3 =
// DH(EK_A, SPK_B) needs the inviter's SPK private key. DH3 is also an X3DH
// input; the labels keep the two uses independent. The introduction needs
// all four DHs (SK), as the ratchet messages do.
#pragma once

#include <cstdint>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/aead.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/constants.h"
#include "attune/e2e/identity.h"
#include "attune/e2e/invitation.h"

namespace attune::e2e {

// Type bytes. A v1 first message starts with 0x01 like a v1 ratchet
// message; the inviter tells them apart by mailbox (no session yet).
inline constexpr uint8_t kFirstMessageVersion = 1;
inline constexpr uint8_t kFirstMessageTypeV2 = 0x82;
inline constexpr size_t kFirstMessagePublicHeaderSize = 1 + kInvitationIdSize + 32;
inline constexpr size_t kSealedIdentitySize = kIdentityRecordSize + crypto::kAeadTagSize;
inline constexpr size_t kFirstMessageHeaderSize =
    kFirstMessagePublicHeaderSize + kSealedIdentitySize;
inline constexpr size_t kMinFirstMessageSize = kFirstMessageHeaderSize + kMinWireMessageSize;
inline constexpr size_t kMaxFirstMessageSize = kFirstMessageHeaderSize + kMaxWireMessageSize;
// Version 2: the introduction (plaintext) is at most this long.
inline constexpr size_t kMaxIntroductionSize = 1024;
inline constexpr size_t kIntroductionLengthSize = 2;
// bytes [0, 211): everything the introduction's seal authenticates.
inline constexpr size_t kIntroductionAdSize = kFirstMessageHeaderSize + kIntroductionLengthSize;
inline constexpr size_t kMinSealedIntroductionSize = crypto::kAeadTagSize;
inline constexpr size_t kMaxSealedIntroductionSize = kMaxIntroductionSize + crypto::kAeadTagSize;
inline constexpr size_t kMaxX3dhPrefixSize = kIntroductionAdSize + kMaxSealedIntroductionSize;
inline constexpr size_t kMinFirstMessageV2Size =
    kIntroductionAdSize + kMinSealedIntroductionSize + kMinWireMessageSize;
inline constexpr size_t kMaxFirstMessageV2Size = kMaxX3dhPrefixSize + kMaxWireMessageSize;
inline constexpr std::string_view kIdentitySealLabel = "attune-e2e/v1/first-message-identity";
inline constexpr std::string_view kIntroductionSealLabel =
    "attune-e2e/v2/first-message-introduction";
// Hash kept in consumed InvitationSecrets to recognise a redelivery (v1:
// of the whole first message) or a repetition of the same X3DH (v2: of the
// X3DH prefix).
inline constexpr std::string_view kFirstMessageHashLabel = "attune-e2e/v1/first-message-hash";

// A first message whose layout has been checked; nothing is authenticated.
// Views into the caller's buffer, which must outlive it.
class FirstMessageView {
 public:
  // kUnsupportedVersion for another type byte; kInvalidArgument for a size
  // no sender can produce (v1: outside [kMinFirstMessageSize,
  // kMaxFirstMessageSize]; v2: a sealed introduction length out of bounds or
  // a total outside what that length allows).
  static Result<FirstMessageView> Parse(ByteView bytes);

  uint8_t type() const { return bytes_[0]; }
  bool is_v2() const { return bytes_[0] == kFirstMessageTypeV2; }
  // type || invitation id || EK_A: the identity seal's AD and HKDF info suffix.
  ByteView public_header() const { return bytes_.first(kFirstMessagePublicHeaderSize); }
  InvitationId invitation_id() const;
  crypto::ConstSpan<32> ephemeral_key() const {
    return crypto::ConstSpan<32>(bytes_.data() + 1 + kInvitationIdSize, 32);
  }
  ByteView sealed_identity() const {
    return bytes_.subspan(kFirstMessagePublicHeaderSize, kSealedIdentitySize);
  }
  // v2: bytes [0, 211), the introduction seal's AD and HKDF info suffix.
  ByteView introduction_ad() const { return bytes_.first(kIntroductionAdSize); }
  // v2: the sealed introduction (empty for v1).
  ByteView sealed_introduction() const {
    return bytes_.subspan(kIntroductionAdSize, prefix_size_ - kIntroductionAdSize);
  }
  // The X3DH part: v2 bytes [0, 211 + L); v1 bytes [0, 209).
  ByteView x3dh_prefix() const { return bytes_.first(prefix_size_); }
  ByteView ratchet_message() const { return bytes_.subspan(prefix_size_); }
  ByteView bytes() const { return bytes_; }

 private:
  FirstMessageView(ByteView bytes, size_t prefix_size) : bytes_(bytes), prefix_size_(prefix_size) {}
  ByteView bytes_{};
  size_t prefix_size_ = 0;
};

// BLAKE2b-256(kFirstMessageHashLabel || bytes).
ByteArray<32> FirstMessageHash(ByteView bytes);
// What a consumed invitation remembers of the message that consumed it:
// FirstMessageHash of the whole message (v1) or of its X3DH prefix (v2).
ByteArray<32> ConsumedHash(const FirstMessageView& view);

// Seal key and nonce for the initiator's identity record (layout above).
struct IdentitySealKey {
  crypto::SecretArray<32> key{};
  crypto::SecretArray<24> nonce{};
};
IdentitySealKey DeriveIdentitySealKey(crypto::ConstSpan<32> dh3, ByteView public_header);
// Seal key and nonce for the introduction (v2; layout above).
IdentitySealKey DeriveIntroductionSealKey(crypto::ConstSpan<32> root_key, ByteView introduction_ad);

}  // namespace attune::e2e
