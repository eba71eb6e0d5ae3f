// One-time invitations (docs/PROTOCOL.md, "Invitations").
//
// The inviter (usually the therapist) mints an invitation while the other
// side may be offline. It carries the inviter's identity record, a signed
// prekey (SPK), a one-time prekey (OPK), an expiry, a random invitation id and
// an opaque routing blob filled by the client layer (where and how to send
// the first message). Binary form, version 1 (all integers big-endian):
//
//   offset size  field
//        0    1  format version (kInvitationVersion)
//        1  144  inviter identity record (identity.h)
//      145   16  invitation id
//      161    8  expiry, unix seconds
//      169   32  SPK public (X25519)
//      201   32  OPK public (X25519)
//      233    2  routing blob length L, L <= kMaxRoutingBlobSize
//      235    L  routing blob
//    235+L   64  Ed25519 signature by the inviter's signing key over
//                kInvitationSignatureLabel || bytes [0, 235+L)
//
// The single signature over the exact bytes is what makes the SPK "signed":
// the SPK never travels outside an invitation, so a second signature over it
// alone would add nothing. The invitation id doubles as the OPK id.
//
// The invitation itself is public-ish (whoever holds it can start a session
// with the inviter); the private halves of SPK and OPK stay with the inviter
// in InvitationSecrets.
#pragma once

#include <cstdint>
#include <string_view>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/identity.h"

namespace attune::e2e {

inline constexpr uint8_t kInvitationVersion = 1;
inline constexpr size_t kInvitationIdSize = 16;
using InvitationId = ByteArray<kInvitationIdSize>;

// Room for a relay address, the relay's static key, a mailbox id, a send
// capability and a mailbox-creation ticket, with margin; small enough that the
// whole invitation still fits a QR code comfortably.
inline constexpr size_t kMaxRoutingBlobSize = 512;
// An invitation lives at most this long (a leaked, forgotten invitation must
// not stay usable for ever).
inline constexpr uint64_t kMaxInvitationLifetimeSeconds = 30ull * 24 * 60 * 60;

inline constexpr size_t kInvitationFixedSize =
    1 + kIdentityRecordSize + kInvitationIdSize + 8 + 32 + 32 + 2 + crypto::kEd25519SignatureSize;
inline constexpr size_t kMaxInvitationSize = kInvitationFixedSize + kMaxRoutingBlobSize;
inline constexpr std::string_view kInvitationSignatureLabel = "attune-e2e/v1/invitation";

struct MintedInvitation;

// An invitation whose signatures, key encodings, sizes and expiry have all
// been checked. Only ParseInvitationBinary/ParseInvitationText
// (invitation_codec.h) and MintInvitation create one.
class ValidatedInvitation {
 public:
  const PublicIdentity& inviter() const { return inviter_; }
  const InvitationId& id() const { return id_; }
  uint64_t expires_at() const { return expires_at_; }
  const crypto::X25519PublicKey& signed_prekey() const { return signed_prekey_; }
  const crypto::X25519PublicKey& one_time_prekey() const { return one_time_prekey_; }
  ByteView routing_blob() const { return routing_blob_; }
  // The exact binary form, signature included.
  const Bytes& encoded() const { return encoded_; }

 private:
  friend Result<ValidatedInvitation> ParseInvitationBinary(ByteView bytes, uint64_t now_unix);
  friend Result<MintedInvitation> MintInvitation(const Identity&, ByteView, uint64_t, uint64_t,
                                                 crypto::RandomSource&);

  // `encoded` must already be known to follow the layout above.
  ValidatedInvitation(PublicIdentity inviter, Bytes encoded);

  PublicIdentity inviter_;
  InvitationId id_{};
  uint64_t expires_at_ = 0;
  crypto::X25519PublicKey signed_prekey_{};
  crypto::X25519PublicKey one_time_prekey_{};
  Bytes routing_blob_{};
  Bytes encoded_{};
};

// Stored form of InvitationSecrets, version 1:
//   version (1) || state (1) || invitation id (16) || expiry (8, BE) ||
//   state 0 (open):     SPK private (32) || OPK private (32)
//   state 1 (consumed): first-message hash (32)
inline constexpr uint8_t kInvitationSecretsVersion = 1;
inline constexpr size_t kOpenInvitationSecretsSize = 1 + 1 + kInvitationIdSize + 8 + 32 + 32;
inline constexpr size_t kConsumedInvitationSecretsSize = 1 + 1 + kInvitationIdSize + 8 + 32;

// What the inviter keeps for one invitation: the SPK and OPK private keys
// until the invitation is used, then only the hash of the first message that
// used it (so that a redelivery of that message is recognised as a duplicate)
// and the keys are gone (forward secrecy for the first message).
// Immutable: consuming returns a new value, so a rejected first message can
// never change what the caller stores. Move-only.
class InvitationSecrets {
 public:
  const InvitationId& id() const { return id_; }
  uint64_t expires_at() const { return expires_at_; }
  bool consumed() const { return consumed_; }
  // All zero while open.
  const ByteArray<32>& first_message_hash() const { return first_message_hash_; }

  // X25519 with the SPK / OPK private key. kAlreadyExists once consumed (the
  // keys are wiped), kCryptoFailed for a small-order peer key.
  Result<crypto::SecretArray<32>> AgreeSignedPrekey(crypto::ConstSpan<32> peer_public) const;
  Result<crypto::SecretArray<32>> AgreeOneTimePrekey(crypto::ConstSpan<32> peer_public) const;

  // The SPK key pair: the responder's first ratchet key pair. kAlreadyExists
  // once consumed.
  Result<crypto::X25519KeyPair> SignedPrekeyPair() const;

  // The consumed form: same id and expiry, keys dropped, hash recorded.
  InvitationSecrets Consumed(const ByteArray<32>& first_message_hash) const;

  // kOpenInvitationSecretsSize or kConsumedInvitationSecretsSize bytes for the
  // client's encrypted store only.
  crypto::SecretBytes Serialize() const;
  // Errors: kInvalidArgument (size or state byte; a consumed record must have
  // a non-zero hash), kUnsupportedVersion.
  static Result<InvitationSecrets> Deserialize(ByteView stored);

  InvitationSecrets Clone() const;

 private:
  friend Result<MintedInvitation> MintInvitation(const Identity&, ByteView, uint64_t, uint64_t,
                                                 crypto::RandomSource&);
  InvitationSecrets() = default;

  InvitationId id_{};
  uint64_t expires_at_ = 0;
  bool consumed_ = false;
  crypto::SecretArray<32> signed_prekey_private_{};
  crypto::SecretArray<32> one_time_prekey_private_{};
  ByteArray<32> first_message_hash_{};
};

struct MintedInvitation {
  ValidatedInvitation invitation;  // give invitation.encoded() or its text form away
  InvitationSecrets secrets;       // keep, in the encrypted store
};

// Mints a one-time invitation valid until now_unix + lifetime_seconds.
// Draws, in this order: 16 bytes invitation id, 32 bytes SPK private,
// 32 bytes OPK private. Errors: kInvalidArgument when the routing blob is
// longer than kMaxRoutingBlobSize or the lifetime is 0 or more than
// kMaxInvitationLifetimeSeconds.
Result<MintedInvitation> MintInvitation(const Identity& inviter, ByteView routing_blob,
                                        uint64_t now_unix, uint64_t lifetime_seconds,
                                        crypto::RandomSource& random);

}  // namespace attune::e2e
