// The first message of a conversation: what the accepting side sends to the
// inviter (docs/PROTOCOL.md, "First message"). Layout, version 1:
//
//   offset size  field
//        0    1  version (kFirstMessageVersion)
//        1   16  invitation id (selects the inviter's InvitationSecrets; also
//                the one-time prekey id)
//       17   32  EK_A: the initiator's ephemeral X25519 public key
//       49  160  sealed initiator identity: XChaCha20-Poly1305 of the
//                144-byte identity record (identity.h), tag included, under
//                key || nonce = HKDF-SHA-256(salt = empty, IKM = DH3,
//                info = kIdentitySealLabel || bytes [0, 49)) (56 bytes),
//                AD = bytes [0, 49)
//      209    …  the first ratchet message (ratchet_message.h), whose body
//                AD binds both identities
//
// The identity record is sealed so that a relay (or anyone who sees the
// first message but not the SPK private key) learns no identity key: DH3 =
// DH(EK_A, SPK_B) needs the inviter's SPK private key. DH3 is also an X3DH
// input; the labels keep the two uses independent.
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

inline constexpr uint8_t kFirstMessageVersion = 1;
inline constexpr size_t kFirstMessagePublicHeaderSize = 1 + kInvitationIdSize + 32;
inline constexpr size_t kSealedIdentitySize = kIdentityRecordSize + crypto::kAeadTagSize;
inline constexpr size_t kFirstMessageHeaderSize =
    kFirstMessagePublicHeaderSize + kSealedIdentitySize;
inline constexpr size_t kMinFirstMessageSize = kFirstMessageHeaderSize + kMinWireMessageSize;
inline constexpr size_t kMaxFirstMessageSize = kFirstMessageHeaderSize + kMaxWireMessageSize;
inline constexpr std::string_view kIdentitySealLabel = "attune-e2e/v1/first-message-identity";
// Hash kept in consumed InvitationSecrets to recognise a redelivery.
inline constexpr std::string_view kFirstMessageHashLabel = "attune-e2e/v1/first-message-hash";

// A first message whose layout has been checked; nothing is authenticated.
// Views into the caller's buffer, which must outlive it.
class FirstMessageView {
 public:
  // kUnsupportedVersion for another version byte; kInvalidArgument for a
  // size outside [kMinFirstMessageSize, kMaxFirstMessageSize].
  static Result<FirstMessageView> Parse(ByteView bytes);

  // version || invitation id || EK_A: the seal's AD and HKDF info suffix.
  ByteView public_header() const { return bytes_.first(kFirstMessagePublicHeaderSize); }
  InvitationId invitation_id() const;
  crypto::ConstSpan<32> ephemeral_key() const {
    return crypto::ConstSpan<32>(bytes_.data() + 1 + kInvitationIdSize, 32);
  }
  ByteView sealed_identity() const {
    return bytes_.subspan(kFirstMessagePublicHeaderSize, kSealedIdentitySize);
  }
  ByteView ratchet_message() const { return bytes_.subspan(kFirstMessageHeaderSize); }
  ByteView bytes() const { return bytes_; }

 private:
  explicit FirstMessageView(ByteView bytes) : bytes_(bytes) {}
  ByteView bytes_{};
};

// BLAKE2b-256(kFirstMessageHashLabel || whole first message).
ByteArray<32> FirstMessageHash(ByteView first_message);

// Seal key and nonce for the initiator's identity record (layout above).
struct IdentitySealKey {
  crypto::SecretArray<32> key{};
  crypto::SecretArray<24> nonce{};
};
IdentitySealKey DeriveIdentitySealKey(crypto::ConstSpan<32> dh3, ByteView public_header);

}  // namespace attune::e2e
