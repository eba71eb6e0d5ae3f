#include "attune/e2e/invitation.h"

#include <cstdint>
#include <cstring>

#include "attune/crypto/x25519.h"
#include "invitation_layout.h"

namespace attune::e2e {

namespace layout = invitation_layout;

ValidatedInvitation::ValidatedInvitation(PublicIdentity inviter, Bytes encoded)
    : inviter_(inviter), encoded_(std::move(encoded)) {
  const uint8_t* p = encoded_.data();
  std::memcpy(id_.data(), p + layout::kId, kInvitationIdSize);
  expires_at_ = ReadU64BE(p + layout::kExpiry);
  std::memcpy(signed_prekey_.data(), p + layout::kSignedPrekey, 32);
  std::memcpy(one_time_prekey_.data(), p + layout::kOneTimePrekey, 32);
  const size_t routing_size = ReadU16BE(p + layout::kRoutingLength);
  routing_blob_.assign(p + layout::kRouting, p + layout::kRouting + routing_size);
}

Result<MintedInvitation> MintInvitation(const Identity& inviter, ByteView routing_blob,
                                        uint64_t now_unix, uint64_t lifetime_seconds,
                                        crypto::RandomSource& random) {
  if (routing_blob.size() > kMaxRoutingBlobSize) {
    return MakeError(ErrorCode::kInvalidArgument, "routing blob is too long");
  }
  if (lifetime_seconds == 0 || lifetime_seconds > kMaxInvitationLifetimeSeconds ||
      now_unix > UINT64_MAX - lifetime_seconds) {
    return MakeError(ErrorCode::kInvalidArgument, "invitation lifetime out of range");
  }
  InvitationSecrets secrets;
  secrets.id_ = random.Array<kInvitationIdSize>();
  secrets.expires_at_ = now_unix + lifetime_seconds;
  random.Fill(secrets.signed_prekey_private_.mutable_span());
  random.Fill(secrets.one_time_prekey_private_.mutable_span());
  const crypto::X25519KeyPair spk =
      crypto::X25519KeyPairFromPrivate(secrets.signed_prekey_private_.span());
  const crypto::X25519KeyPair opk =
      crypto::X25519KeyPairFromPrivate(secrets.one_time_prekey_private_.span());

  Bytes encoded;
  encoded.reserve(kInvitationFixedSize + routing_blob.size());
  encoded.push_back(kInvitationVersion);
  Append(encoded, inviter.public_identity().record());
  Append(encoded, secrets.id_);
  AppendU64BE(encoded, secrets.expires_at_);
  Append(encoded, spk.public_key);
  Append(encoded, opk.public_key);
  AppendU16BE(encoded, static_cast<uint16_t>(routing_blob.size()));
  Append(encoded, routing_blob);

  Bytes signed_message;
  signed_message.reserve(kInvitationSignatureLabel.size() + encoded.size());
  Append(signed_message, kInvitationSignatureLabel);
  Append(signed_message, encoded);
  Append(encoded, inviter.Sign(signed_message));

  return MintedInvitation{ValidatedInvitation(inviter.public_identity(), std::move(encoded)),
                          std::move(secrets)};
}

Result<crypto::SecretArray<32>> InvitationSecrets::AgreeSignedPrekey(
    crypto::ConstSpan<32> peer_public) const {
  if (consumed_) return MakeError(ErrorCode::kAlreadyExists, "invitation already used");
  return crypto::X25519(signed_prekey_private_.span(), peer_public);
}

Result<crypto::SecretArray<32>> InvitationSecrets::AgreeOneTimePrekey(
    crypto::ConstSpan<32> peer_public) const {
  if (consumed_) return MakeError(ErrorCode::kAlreadyExists, "invitation already used");
  return crypto::X25519(one_time_prekey_private_.span(), peer_public);
}

Result<crypto::X25519KeyPair> InvitationSecrets::SignedPrekeyPair() const {
  if (consumed_) return MakeError(ErrorCode::kAlreadyExists, "invitation already used");
  return crypto::X25519KeyPairFromPrivate(signed_prekey_private_.span());
}

InvitationSecrets InvitationSecrets::Consumed(const ByteArray<32>& first_message_hash) const {
  InvitationSecrets out;
  out.id_ = id_;
  out.expires_at_ = expires_at_;
  out.consumed_ = true;
  out.first_message_hash_ = first_message_hash;
  return out;  // the prekey private keys stay zero: they are gone
}

InvitationSecrets InvitationSecrets::Clone() const {
  InvitationSecrets out;
  out.id_ = id_;
  out.expires_at_ = expires_at_;
  out.consumed_ = consumed_;
  out.signed_prekey_private_ = signed_prekey_private_.Clone();
  out.one_time_prekey_private_ = one_time_prekey_private_.Clone();
  out.first_message_hash_ = first_message_hash_;
  return out;
}

crypto::SecretBytes InvitationSecrets::Serialize() const {
  crypto::SecretBytes out(consumed_ ? kConsumedInvitationSecretsSize : kOpenInvitationSecretsSize);
  uint8_t* p = out.data();
  p[0] = kInvitationSecretsVersion;
  p[1] = consumed_ ? 1 : 0;
  std::memcpy(p + 2, id_.data(), kInvitationIdSize);
  Bytes expiry;
  AppendU64BE(expiry, expires_at_);
  std::memcpy(p + 2 + kInvitationIdSize, expiry.data(), 8);
  uint8_t* rest = p + 2 + kInvitationIdSize + 8;
  if (consumed_) {
    std::memcpy(rest, first_message_hash_.data(), 32);
  } else {
    std::memcpy(rest, signed_prekey_private_.data(), 32);
    std::memcpy(rest + 32, one_time_prekey_private_.data(), 32);
  }
  return out;
}

Result<InvitationSecrets> InvitationSecrets::Deserialize(ByteView stored) {
  if (stored.size() < 2) {
    return MakeError(ErrorCode::kInvalidArgument, "stored invitation secrets are truncated");
  }
  if (stored[0] != kInvitationSecretsVersion) {
    return MakeError(ErrorCode::kUnsupportedVersion,
                     "stored invitation secrets have an unknown version");
  }
  const uint8_t state = stored[1];
  if (state > 1) {
    return MakeError(ErrorCode::kInvalidArgument, "stored invitation secrets: unknown state");
  }
  const bool consumed = state == 1;
  if (stored.size() != (consumed ? kConsumedInvitationSecretsSize : kOpenInvitationSecretsSize)) {
    return MakeError(ErrorCode::kInvalidArgument, "stored invitation secrets have the wrong size");
  }
  InvitationSecrets out;
  out.consumed_ = consumed;
  std::memcpy(out.id_.data(), stored.data() + 2, kInvitationIdSize);
  out.expires_at_ = ReadU64BE(stored.data() + 2 + kInvitationIdSize);
  const uint8_t* rest = stored.data() + 2 + kInvitationIdSize + 8;
  if (consumed) {
    std::memcpy(out.first_message_hash_.data(), rest, 32);
    bool zero = true;
    for (uint8_t b : out.first_message_hash_) zero = zero && b == 0;
    if (zero) {
      return MakeError(ErrorCode::kInvalidArgument, "consumed invitation without a message hash");
    }
  } else {
    std::memcpy(out.signed_prekey_private_.data(), rest, 32);
    std::memcpy(out.one_time_prekey_private_.data(), rest + 32, 32);
  }
  return out;
}

}  // namespace attune::e2e
